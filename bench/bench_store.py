"""Store benchmark: save latency as cases accumulate, against plain TinyDB, and unlock time.

Keys: store.save_p50_ms.N / store.save_p95_ms.N (N = 100, 1000, 10000 cases already stored),
store.tinydb_plain_save_p95_ms.1000, store.unlock_s.10000 (default KDF parameters).
A save here is an update of a random existing case, through the real store (fsyncs and all).

Run alone: python -m bench.bench_store
"""

from __future__ import annotations

import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import JSONStorage

from store import Store

PASSPHRASE = "correct horse battery staple"
SIZES = (100, 1000, 10000)
SAVES_MEASURED = 300
PLAIN_SAVES = 60

_FIRST = ["Gwenllïan", "Dafydd", "Siân", "Rhys", "Ceri", "Owain", "Eleri", "Tomos", "Ffion"]
_LAST = ["Ŵyn", "Pŷr", "Jones", "Evans", "ap Gruffydd", "Morgan", "Prys", "Llywelyn"]
_COURTS = [
    "Cardiff Civil and Family Justice Centre",
    "Swansea Civil Justice Centre",
    "Caernarfon Justice Centre",
    "Newport (South Wales) County Court",
]


def _answer(rng: random.Random) -> dict[str, Any]:
    answer = rng.choice(["yes", "no", "unknown"])
    return {
        "answer": answer,
        "answered_on": None if answer == "unknown" else f"2025-03-0{rng.randint(1, 9)}",
        "answered_by": "" if answer == "unknown" else "Cafcass Cymru safeguarding team",
    }


def case_document(n: int, revision: int = 1) -> dict[str, Any]:
    """A case in the shape of records.caseformat, about 3 KB of JSON."""
    rng = random.Random(n * 7919 + revision)
    parties = [
        {
            "id": f"p{n}x{i}",
            "name": f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
            "role": role,
            "postcode": f"CF{rng.randint(1, 99)} {rng.randint(1, 9)}AB",
            "language": rng.choice(["cy", "en"]),
            "legal_aid": rng.choice(["yes", "no", "unknown"]),
            "constraints": {
                "work": "Shifts Mon-Wed 07:00-15:00",
                "education": "",
                "religious_observance": "Chapel on Sunday mornings",
            },
            "phone": f"07700 9{rng.randint(10000, 99999)}",
            "email": f"party{n}.{i}@example.org",
        }
        for i, role in enumerate(["applicant", "respondent", "other"][: rng.randint(2, 3)])
    ]
    children = [
        {
            "id": f"c{n}x{i}",
            "name": f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
            "date_of_birth": f"201{rng.randint(0, 9)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        }
        for i in range(rng.randint(1, 3))
    ]
    directions = [
        {
            "id": f"d{n}x{i}",
            "activity": rng.choice(["wt4c", "mediation_information", "contact_centre"]),
            "party_id": party["id"],
            "provider_id": f"prov-{rng.randint(1, 40)}",
            "funding": rng.choice(["legal_aid", "self_funded", "financial_assistance"]),
            "delivery": rng.choice(["remote", "face_to_face"]),
            "status": "directed",
            "directed_on": "2025-03-10",
            "session": "",
            "agreements": [],
            "assistance_applied_on": None,
            "notes": "Parent asked for a Welsh-language group; evening session preferred. "
            f"Revision {revision}.",
        }
        for i, party in enumerate(parties[:2])
    ]
    return {
        "id": f"case{n:06d}",
        "case_number": f"CF{n % 100:02d}P{n:05d}",
        "court": rng.choice(_COURTS),
        "jurisdiction": "wales",
        "hearing": {"date": "2025-03-10", "type": "fhdra"},
        "officer": {"name": "Officer Bevan", "role": "fca"},
        "parties": parties,
        "children": children,
        "screening": {
            "police_check": _answer(rng),
            "local_authority_check": _answer(rng),
            "domestic_abuse": _answer(rng),
            "other_harm": _answer(rng),
            "safeguarding_letter_on": "2025-03-03",
        },
        "assessments": [],
        "directions": directions,
        "referrals": [
            {
                "id": f"r{n}x{i}",
                "direction_id": d["id"],
                "party_id": d["party_id"],
                "activity": d["activity"],
                "provider_id": d["provider_id"],
                "state": "queued",
                "revision": revision,
                "receipt": "",
                "reason": "",
            }
            for i, d in enumerate(directions)
        ],
    }


def case_summary(document: dict[str, Any]) -> dict[str, Any]:
    return {
        "case_number": document["case_number"],
        "court": document["court"],
        "hearing_date": document["hearing"]["date"],
        "parties": [p["name"] for p in document["parties"]],
        "referrals_queued": len(document["referrals"]),
    }


def _case_id(n: int) -> str:
    return f"case{n:06d}"


def _percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return statistics.median(samples), cuts[94]


def _save_once(store: Store, stored: int, rng: random.Random, revision: int) -> float:
    n = rng.randrange(stored)
    document = case_document(n, revision=revision)
    summary = case_summary(document)
    started = time.perf_counter()
    store.save_case(_case_id(n), document, summary)
    return (time.perf_counter() - started) * 1000


def _measure_plain_tinydb(root: Path, count: int) -> list[float]:
    db = TinyDB(root / "plain.json", storage=JSONStorage)
    table = db.table("cases")
    table.insert_multiple(case_document(n) for n in range(count))
    rng = random.Random(2)
    timings = []
    for i in range(PLAIN_SAVES):
        doc_id = rng.randrange(count) + 1
        document = case_document(doc_id - 1, revision=2 + i)
        started = time.perf_counter()
        table.update(document, doc_ids=[doc_id])
        timings.append((time.perf_counter() - started) * 1000)
    db.close()
    return timings


def run() -> dict[str, float]:
    results: dict[str, float] = {}
    rng = random.Random(1)
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        root = Path(tmp)
        # One real store per size. Their saves are measured interleaved, one save each in
        # turn, so that noise from the rest of the machine falls on every size alike and the
        # 10,000 / 100 ratio compares like with like.
        stores = {size: Store.create(root / f"store{size}", PASSPHRASE) for size in SIZES}
        for size, store in stores.items():
            for n in range(size):
                document = case_document(n)
                store.save_case(_case_id(n), document, case_summary(document))
        timings: dict[int, list[float]] = {size: [] for size in SIZES}
        for i in range(SAVES_MEASURED):
            for size, store in stores.items():
                timings[size].append(_save_once(store, size, rng, revision=2 + i))
        for size in SIZES:
            stores[size].close()
            p50, p95 = _percentiles(timings[size])
            results[f"store.save_p50_ms.{size}"] = round(p50, 3)
            results[f"store.save_p95_ms.{size}"] = round(p95, 3)

        plain = _measure_plain_tinydb(root, 1000)
        results["store.tinydb_plain_save_p95_ms.1000"] = round(_percentiles(plain)[1], 3)

        biggest = SIZES[-1]
        started = time.perf_counter()
        store = Store.open(root / f"store{biggest}", PASSPHRASE)
        listed = store.summaries()
        results[f"store.unlock_s.{biggest}"] = round(time.perf_counter() - started, 4)
        store.close()
        if len(listed) != biggest:
            raise RuntimeError(f"unlock listed {len(listed)} cases, expected {biggest}")
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
