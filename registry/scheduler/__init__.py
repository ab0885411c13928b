"""The scheduled-jobs process: `registry scheduler` runs the jobs of the schedule setting."""
