"""The service layer: the only code that writes, each write validated and audited."""
