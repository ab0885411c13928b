"""Accessibility basics checked in the browser: labels, a main landmark, headings in order."""

# Runs in the page: every problem found, as text.
CHECKS = """
() => {
  const problems = [];
  const mains = document.querySelectorAll('main, [role=main]');
  if (mains.length !== 1) problems.push(`${mains.length} main landmarks`);
  const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')];
  if (!headings.length || headings[0].tagName !== 'H1') {
    problems.push('the first heading is not h1');
  }
  if (document.querySelectorAll('h1').length !== 1) problems.push('not exactly one h1');
  let level = 0;
  for (const h of headings) {
    const next = Number(h.tagName[1]);
    if (level && next > level + 1) {
      problems.push(`${h.tagName} "${h.textContent.trim()}" skips a level`);
    }
    level = next;
  }
  const fields = document.querySelectorAll(
    'input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea');
  for (const f of fields) {
    const labelled = (f.labels && f.labels.length) || f.getAttribute('aria-label')
      || f.getAttribute('aria-labelledby');
    if (!labelled) problems.push(`${f.tagName.toLowerCase()} name=${f.name} has no label`);
  }
  for (const b of document.querySelectorAll('button, a[href]')) {
    if (!(b.textContent.trim() || b.getAttribute('aria-label'))) {
      problems.push('a control without a name');
    }
  }
  if (!document.documentElement.lang) problems.push('no language on <html>');
  if (!document.title.trim()) problems.push('no title');
  return problems;
}
"""


def problems(page) -> list[str]:
    # A click that navigates returns before the new document exists: check the loaded page.
    page.wait_for_load_state("load")
    page.locator("main").wait_for()
    return page.evaluate(CHECKS)


def assert_accessible(page) -> None:
    found = problems(page)
    assert found == [], f"{page.url}: {found}"
