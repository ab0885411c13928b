"""Demonstration data: three clinics in three states, loaded through the services."""

from datetime import date, timedelta

from registry.clock import today
from registry.db import write_transaction
from registry.models import Client, Clinic, Procedure, User
from registry.services import (
    accounts,
    clinics,
    inspections,
    pigments,
    practitioners,
    procedures,
    reactions,
)
from registry.services.audit import Actor

LOADER = Actor.system("demo-loader")

# Demonstration sign-ins only: `registry demo load` refuses to run in production.
LOGINS = (
    ("administrator", "admin@demo.pigment-registry.test", "demo-admin-password"),
    ("officer", "officer@demo.pigment-registry.test", "demo-officer-password"),
    ("inspector", "inspector@demo.pigment-registry.test", "demo-inspector-password"),
    ("importer", "importer@demo.pigment-registry.test", "demo-importer-password"),
)

CLINICS = (
    {"name": "Cascade Scalp Studio", "state": "OR", "county": "Multnomah", "city": "Portland",
     "address": "1200 SW Morrison St, Portland, OR 97205", "timezone": "America/Los_Angeles",
     "disciplines": "smp,pmu"},
    {"name": "Golden State Micropigmentation", "state": "CA", "county": "Los Angeles",
     "city": "Los Angeles", "address": "6330 Sunset Blvd, Los Angeles, CA 90028",
     "timezone": "America/Los_Angeles", "disciplines": "smp,pmu"},
    {"name": "Lone Star Brow & Scalp", "state": "TX", "county": "Travis", "city": "Austin",
     "address": "410 Congress Ave, Austin, TX 78701", "timezone": "America/Chicago",
     "disciplines": "pmu,smp"},
)

ESTABLISHMENT_ISSUERS = {
    "OR": "Oregon Health Licensing Office",
    "CA": "Los Angeles County Department of Public Health",
    "TX": "Texas Department of State Health Services",
}
PRACTITIONER_ISSUERS = {
    "OR": "Oregon Health Licensing Office",
    "CA": "Los Angeles County Department of Public Health",
}

PRACTITIONERS = {
    "OR": (("Maya", "Okafor"), ("Liam", "Brandt")),
    "CA": (("Sofia", "Reyes"), ("Daniel", "Kim")),
    "TX": (("Ava", "Thompson"), ("Noah", "Garcia")),
}

PRODUCTS = (
    {"manufacturer": "Scalp Aesthetics", "brand": "Scalpaink", "name": "Scalpaink SC",
     "shade": "Basic Black", "colorants": [
         {"name": "Carbon black", "ci_number": "CI 77266", "cas_number": "1333-86-4"}]},
    {"manufacturer": "Northwind Pigment Co.", "brand": "Northwind SMP", "name": "SMP Onyx",
     "shade": "Neutral Black", "colorants": [
         {"name": "Carbon black", "ci_number": "CI 77266", "cas_number": "1333-86-4"}]},
    {"manufacturer": "Northwind Pigment Co.", "brand": "Northwind SMP", "name": "SMP Graphite",
     "shade": "Soft Black", "colorants": [
         {"name": "Iron oxide black", "ci_number": "CI 77499", "cas_number": "1317-61-9"},
         {"name": "Carbon black", "ci_number": "CI 77266", "cas_number": "1333-86-4"}]},
    {"manufacturer": "Meridian Brow Labs", "brand": "Meridian", "name": "Brow Ash Brown",
     "shade": "Ash Brown", "colorants": [
         {"name": "Iron oxide black", "ci_number": "CI 77499", "cas_number": "1317-61-9"},
         {"name": "Iron oxide red", "ci_number": "CI 77491", "cas_number": "1309-37-1"},
         {"name": "Iron oxide yellow", "ci_number": "CI 77492", "cas_number": "51274-00-1"}]},
    {"manufacturer": "Meridian Brow Labs", "brand": "Meridian", "name": "Lip Rosewood",
     "shade": "Rosewood", "colorants": [
         {"name": "Iron oxide red", "ci_number": "CI 77491", "cas_number": "1309-37-1"},
         {"name": "Titanium dioxide", "ci_number": "CI 77891", "cas_number": "13463-67-7"}]},
)


# More procedures in every clinic, and the reactions that make Meridian Lip Rosewood stand out
# across the three of them: a delayed, itchy swelling confined to the red lip line is the
# textbook allergic reaction to a red pigment. Per state: (lip procedures, of them followed by a
# reaction). Brows and scalps are treated as often, with one mild brow reaction in all.
LIP_SERIES = {"OR": (3, 1), "CA": (4, 3), "TX": (4, 2)}
LIP_CLIENTS = (("M.T.", date(1986, 3, 12), "female"), ("L.P.", date(1979, 11, 3), "female"),
               ("H.N.", date(1992, 7, 21), "female"), ("C.B.", date(1971, 2, 9), "female"))
BROW_CLIENTS = (("E.W.", date(1984, 5, 17), "female"), ("S.K.", date(1995, 8, 30), "female"),
                ("P.D.", date(1962, 12, 1), "female"))
SCALP_CLIENTS = (("T.O.", date(1977, 10, 5), "male"), ("G.H.", date(1988, 1, 22), "male"),
                 ("B.A.", date(1969, 4, 14), "male"))
LIP_REACTIONS = (
    "Raised, itchy swelling along the upper lip line, confined to the pigmented area, two "
    "weeks after the procedure; settled with a topical corticosteroid.",
    "Firm, itchy bumps within the pigmented area of the lower lip three weeks after the "
    "procedure; an allergic reaction to the red pigment is suspected.",
    "Swelling and scaling of the lips where pigmented, not improving with aftercare; referred "
    "to a dermatologist, who suspects an allergic reaction to the pigment.",
    "Itching and small raised papules along the lip border, limited to the treated area, from "
    "the second week.",
    "Swelling and crusting of the lips within the pigmented area; patch testing planned by the "
    "client's dermatologist.",
    "Itchy, raised lip line two weeks after the lip blush; eased with a topical steroid cream.",
)
BROW_REACTION = ("Mild redness and swelling of both brows for two days after the procedure; "
                 "settled with cold compresses.")

def database_is_empty() -> bool:
    return not Clinic.select().exists() and not User.select().exists()


def login_lines() -> list[str]:
    """The demonstration sign-ins that exist in the database, one line each."""
    present = {u.email for u in User.select(User.email).where(
        User.email.in_([email for _role, email, _pw in LOGINS]))}
    return [f"  {role:<14} {email}  /  {password}"
            for role, email, password in LOGINS if email in present]


def load() -> dict[str, int]:
    """Load everything in one transaction: all of it or none of it."""
    with write_transaction():
        return _Loader(today()).run()


class _Loader:
    def __init__(self, day: date):
        self.today = day
        self.counts: dict[str, int] = {}
        self.lip_reactions = iter(LIP_REACTIONS)

    def days(self, n: int) -> date:
        return self.today + timedelta(days=n)

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    def run(self) -> dict[str, int]:
        clinics_by_state = {c["state"]: clinics.create_clinic(c, LOADER) for c in CLINICS}
        self.count("clinics", len(clinics_by_state))
        self.users(clinics_by_state)
        products = self.products()
        for clinic in clinics_by_state.values():
            self.establishment_license(clinic)
            people = self.practitioners(clinic)
            lots = self.lots(clinic, products)
            clients = self.clients(clinic)
            self.procedures(clinic, people, clients, lots)
            self.more_procedures(clinic, people, lots)
        self.reactions(clinics_by_state["OR"])
        self.inspection(clinics_by_state["OR"])
        inspections.record_inspection({
            "clinic_id": clinics_by_state["CA"].id, "inspected_on": self.days(-120),
            "kind": "routine", "result": "pass"}, LOADER)
        return self.counts

    def users(self, clinics_by_state):
        roles = {}
        for role, email, password in LOGINS:
            name = f"Demo {role.title()}"
            roles[role] = accounts.create_user(
                {"email": email, "display_name": name}, LOADER, password=password)
        admin, officer, inspector, importer = (roles[r] for r, _e, _p in LOGINS)
        accounts.grant_role({"user_id": admin.id, "role": "administrator"}, LOADER)
        for state in ("OR", "CA"):
            accounts.grant_role({"user_id": officer.id, "role": "officer",
                                 "clinic_id": clinics_by_state[state].id}, LOADER)
        accounts.grant_role({"user_id": inspector.id, "role": "inspector",
                             "jurisdiction": "OR"}, LOADER)
        accounts.grant_role({"user_id": importer.id, "role": "importer"}, LOADER)
        self.count("users", len(roles))

    def products(self):
        makers, products = {}, {}
        for spec in PRODUCTS:
            spec = dict(spec)
            maker_name = spec.pop("manufacturer")
            if maker_name not in makers:
                makers[maker_name] = pigments.create_manufacturer(
                    {"name": maker_name, "country": "United States"}, LOADER)
            products[spec["name"]] = pigments.create_product(
                {**spec, "manufacturer_id": makers[maker_name].id}, LOADER)
        self.count("pigment products", len(products))
        return products

    def establishment_license(self, clinic):
        state = clinic.state
        practitioners.add_credential({
            "clinic_id": clinic.id, "kind": "establishment_license",
            "number": f"{state}-EST-{1000 + clinic.id}", "issuer": ESTABLISHMENT_ISSUERS[state],
            "state": state, "issued_on": self.days(-300), "expires_on": self.days(65),
            "verification_state": "document_on_file",
        }, LOADER)
        self.count("credentials")

    def practitioners(self, clinic):
        people = []
        state = clinic.state
        for index, (first, last) in enumerate(PRACTITIONERS[state]):
            person = practitioners.create_practitioner(
                {"first_name": first, "last_name": last,
                 "email": f"{first.lower()}.{last.lower()}@demo.pigment-registry.test"},
                LOADER, clinic_id=clinic.id)
            practitioners.affiliate({"practitioner_id": person.id, "clinic_id": clinic.id,
                                     "starts_on": self.days(-900)}, LOADER)
            for credential in self.credentials_for(state, index):
                practitioners.add_credential(
                    {**credential, "practitioner_id": person.id}, LOADER, clinic_id=clinic.id)
                self.count("credentials")
            people.append(person)
        self.count("practitioners", len(people))
        return people

    def credentials_for(self, state: str, index: int) -> list[dict]:
        """Two practitioners a clinic: the second's BBP training lapses within 30 days,
        and in Oregon the second's practitioner licence expired 12 days ago."""
        soon = index == 1
        creds = [
            {"kind": "bloodborne_pathogens_training", "issuer": "American Red Cross",
             "number": f"BBP-{state}-{index + 1:03d}",
             "issued_on": self.days(-345 if soon else -120),
             "expires_on": self.days(20 if soon else 245),
             "verification_state": "document_on_file"},
            {"kind": "hepatitis_b_vaccination", "issuer": "Primary care provider",
             "issued_on": self.days(-2000), "verification_state": "document_on_file"},
            {"kind": "spcp_cpcp", "issuer": "Society of Permanent Cosmetic Professionals",
             "number": f"CPCP-{state}{index + 7:04d}", "issued_on": self.days(-500),
             "expires_on": self.days(230), "verification_state": "self_reported"},
            {"kind": "first_aid_cpr", "issuer": "American Heart Association",
             "issued_on": self.days(-400), "expires_on": self.days(330),
             "verification_state": "document_on_file"},
            {"kind": "continuing_education", "issuer": "Oregon Tattoo Education Network"
             if state == "OR" else "Society of Permanent Cosmetic Professionals",
             "issued_on": self.days(-90), "verification_state": "document_on_file"},
        ]
        if state in PRACTITIONER_ISSUERS:
            creds.append({
                "kind": "practitioner_license", "issuer": PRACTITIONER_ISSUERS[state],
                "state": state, "number": f"{state}-BA-{40210 + index}",
                "issued_on": self.days(-700),
                "expires_on": self.days(-12) if (state == "OR" and soon) else self.days(180),
                "verification_state": "document_on_file",
            })
        return creds

    def lots(self, clinic, products):
        specs = [("SMP Onyx", "NW-ONX-2407", 400), ("SMP Graphite", "NW-GRA-2411", 25),
                 ("Brow Ash Brown", "MB-ASH-2502", 300), ("Lip Rosewood", "MB-ROS-2310", -15)]
        if clinic.state == "OR":
            # Old stock of an ink FDA named in its May 2019 advisory (all lots).
            specs.append(("Scalpaink SC", "SA-SC-1904", 200))
        lots = {}
        for product_name, number, expires_in in specs:
            lot = pigments.receive_lot({
                "product_id": products[product_name].id, "clinic_id": clinic.id,
                "lot_number": number, "received_on": self.days(-150),
                "expires_on": self.days(expires_in),
                "sds_reference": f"SDS/{number}.pdf",
            }, LOADER)
            pigments.change_lot_status(lot, {"status": "in_use", "effective_on": self.days(-140),
                                             "reason": "opened for use"}, LOADER)
            lots[product_name] = lot
        self.count("lots", len(lots))
        return lots

    def clients(self, clinic):
        people = []
        for n, (initials, born, sex) in enumerate(
            (("J.D.", date(1981, 4, 2), "male"), ("R.M.", date(1975, 9, 14), "male"),
             ("A.L.", date(1990, 1, 30), "female"), ("K.S.", date(1968, 6, 8), "female")), 1):
            people.append(procedures.create_client({
                "clinic_id": clinic.id, "reference": f"{clinic.state}-{n:04d}",
                "initials": initials, "birth_date": born, "sex": sex,
            }, LOADER))
        self.count("clients", len(people))
        return people

    def procedures(self, clinic, people, clients, lots):
        smp_lot = lots.get("Scalpaink SC") or lots["SMP Onyx"]
        plan = [
            (clients[0], people[0], -120, "scalp crown", 1, [smp_lot]),
            (clients[0], people[0], -90, "scalp crown", 2, [smp_lot, lots["SMP Graphite"]]),
            (clients[1], people[1], -60, "scalp hairline", 1, [lots["SMP Onyx"]]),
            (clients[2], people[0], -45, "eyebrows", 1, [lots["Brow Ash Brown"]]),
            (clients[3], people[1], -30, "lips", 1, [lots["Brow Ash Brown"]]),
        ]
        for client, person, offset, area, session, used in plan:
            procedures.record_procedure({
                "clinic_id": clinic.id, "practitioner_id": person.id, "client_id": client.id,
                "performed_on": self.days(offset), "body_area": area,
                "discipline": "pmu" if area in ("eyebrows", "lips") else "smp",
                "session_number": session, "consent_on_file": True, "aftercare_given": True,
                "lot_ids": [lot.id for lot in used],
            }, LOADER)
        self.count("procedures", len(plan))

    def client(self, clinic, initials: str, born: date, sex: str):
        self.count("clients")
        number = clinic.clients.count() + 1
        return procedures.create_client({
            "clinic_id": clinic.id, "reference": f"{clinic.state}-{number:04d}",
            "initials": initials, "birth_date": born, "sex": sex}, LOADER)

    def procedure(self, clinic, person, client, offset: int, area: str, lot):
        self.count("procedures")
        return procedures.record_procedure({
            "clinic_id": clinic.id, "practitioner_id": person.id, "client_id": client.id,
            "performed_on": self.days(offset), "body_area": area,
            "discipline": "smp" if area.startswith("scalp") else "pmu", "session_number": 1,
            "consent_on_file": True, "aftercare_given": True, "lot_ids": [lot.id]}, LOADER)

    def reaction(self, clinic, client, procedure, event_offset: int, description: str,
                 body_site: str):
        """A reaction the clinic learned of the next day, and reported to the state that day
        (Texas asks for every one)."""
        event_on, aware_on = self.days(event_offset), self.days(event_offset + 1)
        self.count("adverse reactions")
        return reactions.report_reaction({
            "clinic_id": clinic.id, "client_id": client.id, "procedure_id": procedure.id,
            "patient_age": (event_on - client.birth_date).days // 365,
            "patient_sex": client.sex, "event_on": event_on, "aware_on": aware_on,
            "body_site": body_site, "description": description, "product_available": True,
            "reported_to_manufacturer_on": aware_on,
            "reported_to_state_on": aware_on if clinic.state == "TX" else None,
            "lot_ids": [lot.lot_id for lot in procedure.lot_uses]}, LOADER)

    def more_procedures(self, clinic, people, lots):
        """Lip blushes with the Rosewood lot before it expired, some followed by a reaction,
        and as many brows and scalps, with a single mild reaction (a brow, in Texas)."""
        done, reacted = LIP_SERIES[clinic.state]
        shift = 5 * sorted(LIP_SERIES).index(clinic.state)  # not all on the same days
        for index, (initials, born, sex) in enumerate(LIP_CLIENTS[:done]):
            client = self.client(clinic, initials, born, sex)
            offset = -115 + 22 * index + shift
            procedure = self.procedure(clinic, people[index % 2], client, offset, "lips",
                                       lots["Lip Rosewood"])
            if index < reacted:
                self.reaction(clinic, client, procedure, offset + 14 + 3 * index,
                              next(self.lip_reactions), "lips")
        for index, (initials, born, sex) in enumerate(BROW_CLIENTS):
            client = self.client(clinic, initials, born, sex)
            procedure = self.procedure(clinic, people[index % 2], client, -100 + 30 * index,
                                       "eyebrows", lots["Brow Ash Brown"])
            if clinic.state == "TX" and index == 0:
                self.reaction(clinic, client, procedure, -98, BROW_REACTION, "eyebrows")
        for index, (initials, born, sex) in enumerate(SCALP_CLIENTS):
            client = self.client(clinic, initials, born, sex)
            self.procedure(clinic, people[index % 2], client, -110 + 30 * index, "scalp crown",
                           lots["SMP Onyx"])

    def reactions(self, clinic):
        client = clinic.clients.order_by(Client.id).first()
        first, second = list(client.procedures.order_by(Procedure.id))[:2]
        scalpaink = [u.lot_id for u in second.lot_uses]
        reactions.report_reaction({
            "clinic_id": clinic.id, "client_id": client.id, "procedure_id": first.id,
            "patient_age": 44, "patient_sex": "male", "event_on": self.days(-117),
            "aware_on": self.days(-116), "body_site": "scalp crown",
            "description": "Redness and mild itching at the treated area for three days.",
            "product_available": True,
            "lot_ids": [u.lot_id for u in first.lot_uses],
        }, LOADER)
        reactions.report_reaction({
            "clinic_id": clinic.id, "client_id": client.id, "procedure_id": second.id,
            "patient_age": 44, "patient_sex": "male", "event_on": self.days(-84),
            "aware_on": self.days(-7), "body_site": "scalp crown",
            "description": "Papules and pustules at the treated area; culture positive; "
                           "treated with oral antibiotics.",
            "relevant_tests": "Wound culture: Mycobacterium chelonae.",
            "outcome_infection": True, "outcome_intervention_required": True,
            "product_available": True, "lot_ids": scalpaink,
        }, LOADER)
        self.count("adverse reactions", 2)

    def inspection(self, clinic):
        visit = inspections.record_inspection({
            "clinic_id": clinic.id, "inspected_on": self.days(-200), "kind": "routine",
            "result": "conditional pass", "notes": "Annual facility inspection.",
        }, LOADER)
        finding = inspections.add_finding({
            "inspection_id": visit.id, "severity": "minor",
            "requirement_id": "us-or.records.client-record-retention",
            "description": "Two client records from last year were missing signed consent.",
        }, LOADER)
        inspections.add_corrective_action({
            "finding_id": finding.id, "description": "Re-file signed consent forms.",
            "due_on": self.days(-170), "completed_on": self.days(-175), "status": "done",
        }, LOADER)
        self.count("inspections")
