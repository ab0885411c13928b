"""Measures issuing a clinic's audit report (PDF/A-3b) against WeasyPrint alone on the same HTML.

A fresh SQLite database gets one Oregon clinic, written through the services: 10 credentialed
practitioners, 60 pigment lots received over 18 months (opened, later disposed), 200 clients,
--procedures procedures (each with 1 or 2 lots usable that day), 20 adverse reactions (a few
serious) and one inspection with findings and corrective actions. Then, in one process:

1. memory: the process's peak RSS before the first report and after a warm-up and --rounds
   reports, each for a date not issued before; the render children's peak RSS beside it;
2. timing, interleaved over --rounds after a warm-up of each side:
   - ours: `issuing.issue(clinic, as_of, None)` for a new date: gather, digest, HTML, PDF in a
     child forked from the forkserver, file written, row stored;
   - weasyprint: `HTML(string=html).write_pdf(pdf_variant="pdf/a-3b")` in this process, on the
     HTML the report of that round was made from (same code and issue time);
3. cached: `issuing.issue` again for a date already issued, the median of many calls.

Budgets: ours at most 1.25x WeasyPrint alone; a cached report at least 50x faster than a first
render; once one report has been made, this process's peak RSS grows by less than 5% over the
following reports (the PDF is rendered in children that give their memory back; the first
report's own data, held while it is made, is printed beside it). The WeasyPrint baseline runs
in this process, so it comes after the memory phase.

Only standard-library modules are imported at the top: each render child imports this script
again (the forkserver's children re-run __main__), and must not pay for the application.

    .venv/bin/python bench/audit_pdf.py [--rounds R] [--procedures N]
"""

import argparse
import gc
import resource
import statistics
import sys
import tempfile
import time
import warnings
from datetime import date, timedelta
from pathlib import Path

AS_OF = date(2026, 6, 1)
# Procedures fall in the 18 months before AS_OF.
START = AS_OF - timedelta(days=548)
PRACTITIONERS = (
    ("Maya", "Okafor"), ("Liam", "Brandt"), ("Priya", "Raman"), ("Jonas", "Weber"),
    ("Elena", "Castillo"), ("Marcus", "Hale"), ("Aiko", "Tanaka"), ("Owen", "Fitzgerald"),
    ("Nadia", "Haddad"), ("Theo", "Lindqvist"),
)
LOTS = 60
CLIENTS = 200
REACTIONS = 20
SERIOUS = 4
CACHED_CALLS = 50
RATIO_BUDGET = 1.25
CACHE_BUDGET = 50.0
MEMORY_BUDGET = 0.05
MIB = 1024 * 1024
AREAS = (("scalp crown", "smp"), ("scalp hairline", "smp"), ("scalp vertex", "smp"),
         ("scar camouflage", "smp"), ("eyebrows", "pmu"), ("lips", "pmu"), ("eyeliner", "pmu"))
SYMPTOMS = (
    "Redness and mild itching at the treated area for three days.",
    "Swelling around the hairline that settled within a week.",
    "Small raised bumps along the brow line; resolved with a topical steroid.",
    "Delayed itching and raised lines in the red areas after sun exposure.",
    "Localized crusting beyond normal healing; client advised to see a physician.",
)


def settings_environ(folder: Path) -> dict[str, str]:
    """The REGISTRY_* variables the application reads its settings from."""
    return {
        "REGISTRY_ENV": "testing",
        "REGISTRY_INSTANCE_PATH": str(folder / "instance"),
        "REGISTRY_DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "REGISTRY_SECRET_KEY": "b" * 40,
        "REGISTRY_AUDIT_KEY": "a" * 40,
    }


def peak_rss(who: int) -> float:
    """Peak resident set size in MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(who).ru_maxrss * 1024 / MIB


def build(procedure_count: int, seed: int = 7) -> tuple[int, dict[str, int]]:
    """Write the clinic and its records through the services; (clinic id, counts)."""
    import random

    from registry.db import write_transaction
    from registry.demo import PRODUCTS
    from registry.services import (
        clinics,
        inspections,
        pigments,
        practitioners,
        procedures,
        reactions,
    )
    from registry.services.audit import Actor

    rng = random.Random(seed)
    actor = Actor.system("bench")
    counts: dict[str, int] = {}
    with write_transaction():
        clinic = clinics.create_clinic({
            "name": "Willamette Scalp & Brow", "state": "OR", "county": "Multnomah",
            "city": "Portland", "address": "2210 NE Broadway, Portland, OR 97232",
            "timezone": "America/Los_Angeles", "disciplines": "smp,pmu"}, actor)
        for issued, expires in ((date(2024, 7, 1), date(2025, 6, 30)),
                                (date(2025, 7, 1), date(2026, 12, 31))):
            practitioners.add_credential({
                "clinic_id": clinic.id, "kind": "establishment_license", "state": "OR",
                "number": f"OR-EST-{issued.year}-0412", "issuer": "Oregon Health Licensing Office",
                "issued_on": issued, "expires_on": expires,
                "verification_state": "document_on_file"}, actor)
        counts["credentials"] = 2
        people = []
        for index, (first, last) in enumerate(PRACTITIONERS):
            person = practitioners.create_practitioner(
                {"first_name": first, "last_name": last,
                 "email": f"{first.lower()}.{last.lower()}@willamette.example"},
                actor, clinic_id=clinic.id)
            practitioners.affiliate({"practitioner_id": person.id, "clinic_id": clinic.id,
                                     "title": "practitioner",
                                     "starts_on": date(2022, 3, 1) + timedelta(days=61 * index)},
                                    actor)
            for credential in _credentials(index):
                practitioners.add_credential({**credential, "practitioner_id": person.id},
                                             actor, clinic_id=clinic.id)
                counts["credentials"] += 1
            people.append(person)
        counts["practitioners"] = len(people)

        makers, products = {}, []
        for spec in PRODUCTS[1:]:
            spec = dict(spec)
            maker = spec.pop("manufacturer")
            if maker not in makers:
                makers[maker] = pigments.create_manufacturer(
                    {"name": maker, "country": "United States"}, actor)
            products.append(pigments.create_product(
                {**spec, "manufacturer_id": makers[maker].id}, actor))

        # A lot a clinic receives every ten days, opened three days later and disposed of
        # half a year on; the last ones are still in use.
        lots = []
        for index in range(LOTS):
            product = products[index % len(products)]
            received = START - timedelta(days=90) + timedelta(days=10 * index)
            lot = pigments.receive_lot({
                "product_id": product.id, "clinic_id": clinic.id,
                "lot_number": f"{product.brand[:2].upper()}-{received:%y%m}-{index + 1:03d}",
                "received_on": received,
                "expires_on": received + timedelta(days=rng.randrange(540, 900)),
                "sds_reference": f"SDS/{product.name}.pdf"}, actor)
            opened = received + timedelta(days=3)
            pigments.change_lot_status(lot, {"status": "in_use", "effective_on": opened,
                                             "reason": "opened for use"}, actor)
            disposed = received + timedelta(days=180)
            if disposed <= AS_OF - timedelta(days=60):
                pigments.change_lot_status(lot, {"status": "disposed", "effective_on": disposed,
                                                 "reason": "end of use"}, actor)
            else:
                disposed = AS_OF + timedelta(days=365)
            lots.append((lot, opened, disposed))
        counts["lots"] = len(lots)

        people_clients = []
        for index in range(CLIENTS):
            born = date(1955, 1, 1) + timedelta(days=rng.randrange(16000))
            people_clients.append(procedures.create_client({
                "clinic_id": clinic.id, "reference": f"OR-{index + 1:04d}",
                "initials": f"{chr(65 + rng.randrange(26))}.{chr(65 + rng.randrange(26))}.",
                "birth_date": born, "sex": rng.choice(("female", "male"))}, actor))
        counts["clients"] = len(people_clients)

        done = []
        sessions: dict[int, int] = {}
        span = (AS_OF - START).days
        for _ in range(procedure_count):
            day = START + timedelta(days=rng.randrange(span))
            usable = [lot for lot, opened, disposed in lots
                      if opened <= day < disposed and lot.expires_on > day]
            used = rng.sample(usable, 2 if rng.random() < 0.3 else 1)
            client = rng.choice(people_clients)
            sessions[client.id] = sessions.get(client.id, 0) + 1
            area, discipline = rng.choice(AREAS)
            done.append((procedures.record_procedure({
                "clinic_id": clinic.id, "practitioner_id": rng.choice(people).id,
                "client_id": client.id, "performed_on": day, "body_area": area,
                "discipline": discipline, "session_number": min(sessions[client.id], 6),
                "consent_on_file": True, "aftercare_given": True,
                "lot_ids": [lot.id for lot in used]}, actor), [lot.id for lot in used]))
        counts["procedures"] = len(done)

        for index, (procedure, lot_ids) in enumerate(rng.sample(done, REACTIONS)):
            event = procedure.performed_on + timedelta(days=rng.randrange(2, 20))
            aware = event + timedelta(days=rng.randrange(0, 6))
            fields = {"description": rng.choice(SYMPTOMS)}
            if index < SERIOUS:
                fields = {
                    "description": "Papules and pustules at the treated area; culture positive; "
                                   "treated with oral antibiotics.",
                    "relevant_tests": "Wound culture: Mycobacterium chelonae.",
                    "outcome_infection": True, "outcome_intervention_required": True,
                    # Two reported on time, one late, one not yet.
                    "reported_to_fda_on": (aware + timedelta(days=(8, 12, 30)[index])
                                           if index < 3 else None),
                }
            reactions.report_reaction({
                "clinic_id": clinic.id, "client_id": procedure.client_id,
                "procedure_id": procedure.id, "patient_age": 30 + index,
                "patient_sex": rng.choice(("female", "male")), "event_on": event,
                "aware_on": aware, "body_site": procedure.body_area,
                "product_available": True, "lot_ids": lot_ids, **fields}, actor)
        counts["adverse reactions"] = REACTIONS

        visit = inspections.record_inspection({
            "clinic_id": clinic.id, "inspected_on": AS_OF - timedelta(days=200),
            "kind": "routine", "result": "conditional pass",
            "notes": "Annual facility inspection."}, actor)
        for severity, requirement, text, due, completed in (
                ("minor", "us-or.records.client-record-retention",
                 "Two client records from last year were missing signed consent.",
                 -170, -175),
                ("major", "us-or.lot.not-expired",
                 "An expired lot was found on the work station (not used).", -190, None),
                ("minor", None, "Sharps container above the fill line.", -30, None)):
            finding = inspections.add_finding({
                "inspection_id": visit.id, "severity": severity,
                "requirement_id": requirement, "description": text}, actor)
            inspections.add_corrective_action({
                "finding_id": finding.id, "description": f"Correct: {text}",
                "due_on": AS_OF + timedelta(days=due),
                "completed_on": AS_OF + timedelta(days=completed) if completed else None,
                "status": "done" if completed else "open"}, actor)
        counts["inspection findings"] = 3
    return clinic.id, counts


def _credentials(index: int) -> list[dict]:
    """A practitioner's credentials: a current Oregon licence (and an expired one before it for
    half of them), bloodborne-pathogens training every eleven months, first aid, hepatitis B,
    continuing education."""
    shift = timedelta(days=9 * index)
    held = [
        {"kind": "practitioner_license", "issuer": "Oregon Health Licensing Office",
         "state": "OR", "number": f"OR-BA-{40210 + index}", "issued_on": date(2023, 7, 1) + shift,
         "expires_on": date(2027, 6, 30) + shift, "verification_state": "document_on_file"},
        {"kind": "hepatitis_b_vaccination", "issuer": "Primary care provider",
         "issued_on": date(2016, 4, 1) + shift, "verification_state": "document_on_file"},
        {"kind": "first_aid_cpr", "issuer": "American Heart Association",
         "issued_on": date(2024, 9, 1) + shift, "expires_on": date(2026, 9, 1) + shift,
         "verification_state": "document_on_file"},
        {"kind": "continuing_education", "issuer": "Oregon Tattoo Education Network",
         "issued_on": date(2025, 10, 1) + shift, "verification_state": "self_reported"},
    ]
    if index % 2:
        held.append({"kind": "practitioner_license", "issuer": "Oregon Health Licensing Office",
                     "state": "OR", "number": f"OR-BA-{30210 + index}",
                     "issued_on": date(2020, 7, 1) + shift, "expires_on": date(2023, 6, 30),
                     "verification_state": "document_on_file"})
    trained = date(2023, 11, 15) + shift
    while trained < AS_OF - timedelta(days=30):
        held.append({"kind": "bloodborne_pathogens_training", "issuer": "American Red Cross",
                     "number": f"BBP-{trained:%Y%m}-{index + 1:02d}", "issued_on": trained,
                     "expires_on": trained + timedelta(days=365),
                     "verification_state": "document_on_file"})
        trained += timedelta(days=330)
    return held


def timed(function):
    """Seconds the call takes, and its result; garbage left by earlier work is collected
    first, so neither side pays for the other's."""
    gc.collect()
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def report_html(clinic, as_of: date, report) -> str:
    """The HTML an issued report was rendered from (its code and issue time)."""
    from registry.reports import content, render

    issued_at = report.issued_at.replace(microsecond=0).isoformat(sep=" ")
    return render.report_html(content.gather(clinic, as_of), report.code, issued_at)


def weasyprint_pdf(html: str) -> bytes:
    """WeasyPrint alone: the HTML to PDF/A-3b in this process, assets from templates/pdf."""
    import weasyprint

    from registry.reports.render import ASSETS

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return weasyprint.HTML(string=html, base_url=ASSETS.as_uri() + "/").write_pdf(
            pdf_variant="pdf/a-3b")


def page_count(pdf: bytes, html: str) -> int:
    """Pages of the PDF: read back with pypdf when installed, else from WeasyPrint's layout."""
    try:
        import io

        import pypdf
    except ImportError:
        import weasyprint

        from registry.reports.render import ASSETS

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            document = weasyprint.HTML(string=html, base_url=ASSETS.as_uri() + "/").render(
                pdf_variant="pdf/a-3b")
        return len(document.pages)
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def stop_forkserver() -> None:
    """Stop the render forkserver and wait for it, so that the render children it reaped count
    in this process's RUSAGE_CHILDREN; the next render starts a new one."""
    from multiprocessing import forkserver

    forkserver._forkserver._stop()


def verdict(ok: bool) -> str:
    return "PASS" if ok else "UNDER BUDGET"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--procedures", type=int, default=500)
    args = parser.parse_args()

    from registry import create_app, schema
    from registry.db import db
    from registry.models import Clinic
    from registry.reports import issuing
    from registry.settings import load_settings

    with tempfile.TemporaryDirectory(prefix="registry-bench-") as folder:
        app = create_app(load_settings(environ=settings_environ(Path(folder))))
        with app.app_context():
            db.connect()
            schema.upgrade()
            built_in, (clinic_id, counts) = timed(lambda: build(args.procedures))
            print(f"built one clinic in {built_in:.1f} s: "
                  + ", ".join(f"{n:,} {what}" for what, n in counts.items()))
            clinic = Clinic.get_by_id(clinic_id)
            days = iter(AS_OF - timedelta(days=n) for n in range(10 * args.rounds + 10))

            # Memory: only our reports run in this phase.
            rss_before = peak_rss(resource.RUSAGE_SELF)
            warm_memory, _ = timed(lambda: issuing.issue(clinic, next(days), None))
            rss_warm = peak_rss(resource.RUSAGE_SELF)
            memory_times = [timed(lambda: issuing.issue(clinic, next(days), None))[0]
                            for _ in range(args.rounds)]
            rss_after = peak_rss(resource.RUSAGE_SELF)
            stop_forkserver()
            children = peak_rss(resource.RUSAGE_CHILDREN)

            # Timing: a warm-up of each side, then the sides take turns.
            warm = issuing.issue(clinic, next(days), None)
            weasyprint_pdf(report_html(clinic, warm.report.as_of, warm.report))
            ours, theirs = [], []
            issued = None
            for _ in range(args.rounds):
                as_of = next(days)
                seconds, issued = timed(lambda as_of=as_of: issuing.issue(clinic, as_of, None))
                assert not issued.reused, "a round's date was issued before"
                ours.append(seconds)
                html = report_html(clinic, as_of, issued.report)
                seconds, baseline = timed(lambda html=html: weasyprint_pdf(html))
                theirs.append(seconds)
            pdf = issued.path.read_bytes()
            pages = page_count(pdf, html)

            # Cached: the same clinic, date and data again.
            cached = []
            for _ in range(CACHED_CALLS):
                seconds, again = timed(lambda: issuing.issue(clinic, issued.report.as_of, None))
                assert again.reused and again.report.id == issued.report.id
                cached.append(seconds)
            stop_forkserver()
            db.close()

    ours_median, theirs_median = statistics.median(ours), statistics.median(theirs)
    cached_median = statistics.median(cached)
    ratio = ours_median / theirs_median
    cache_ratio = ours_median / cached_median
    growth = (rss_after - rss_warm) / rss_warm
    print(f"report as of {issued.report.as_of}: {pages} pages, {len(pdf) / 1024:,.0f} KiB "
          f"(WeasyPrint alone: {len(baseline) / 1024:,.0f} KiB), "
          f"{'signed' if issued.report.signed else 'unsigned'}")
    print(f"  ours        {ours_median:6.3f} s median   (rounds: "
          + " ".join(f"{s:.3f}" for s in ours) + ")")
    print(f"  weasyprint  {theirs_median:6.3f} s median   (rounds: "
          + " ".join(f"{s:.3f}" for s in theirs) + ")")
    print(f"  cached      {cached_median * 1000:6.2f} ms median of {CACHED_CALLS} "
          f"(min {min(cached) * 1000:.2f}, max {max(cached) * 1000:.2f})")
    print(f"  ours / weasyprint     {ratio:6.2f}x  (budget: at most {RATIO_BUDGET:.2f}x)  "
          f"{verdict(ratio <= RATIO_BUDGET)}")
    print(f"  first / cached        {cache_ratio:6.0f}x  (budget: at least {CACHE_BUDGET:.0f}x)  "
          f"{verdict(cache_ratio >= CACHE_BUDGET)}")
    print(f"memory phase: {1 + args.rounds} reports (warm-up {warm_memory:.3f} s, then "
          + " ".join(f"{s:.3f}" for s in memory_times) + " s)")
    print(f"  this process peak RSS  {rss_before:7.1f} MiB before any report, "
          f"{rss_warm:7.1f} MiB after the first")
    print(f"  then {rss_after - rss_warm:+.1f} MiB ({growth:+.1%}) over the next {args.rounds}  "
          f"(budget: under {MEMORY_BUDGET:.0%})  {verdict(growth < MEMORY_BUDGET)}")
    print(f"  render children peak RSS  {children:7.1f} MiB")
    ok = ratio <= RATIO_BUDGET and cache_ratio >= CACHE_BUDGET and growth < MEMORY_BUDGET
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
