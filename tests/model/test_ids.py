import base64
import hashlib

from datenhub.model.ids import hub_id_for, is_hub_id


def test_hub_id_is_rfc4648_base32_of_the_founders_sha256() -> None:
    # hub ids are in URLs and downstream hubs: the scheme must never drift
    for rid in ["db-stations:8000098", "demo:zollverein", "bench:p1", "ümlaut:ß", *(f"s:{i}" for i in range(500))]:
        reference = base64.b32encode(hashlib.sha256(rid.encode("utf-8")).digest()[:10]).decode()[:12].lower()
        assert hub_id_for(rid) == "dh-" + reference
        assert is_hub_id(hub_id_for(rid))


def test_hub_id_of_a_known_record() -> None:
    assert hub_id_for("bench:p501") == "dh-ombkyepeesqm"
