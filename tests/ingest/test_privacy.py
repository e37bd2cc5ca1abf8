from ingest.privacy import MASK, mask_personal_data


def test_personal_identifiers_are_masked():
    text = (
        "Ông Nguyễn Văn A, sinh ngày 12/03/1985, CCCD số 001085012345, điện thoại 0912 345 678, "
        "email nguyenvana@gmail.com."
    )
    masked = mask_personal_data(text)
    for secret in ("12/03/1985", "001085012345", "0912 345 678", "nguyenvana@gmail.com"):
        assert secret not in masked
    assert masked.count(MASK) == 4
    assert "Nguyễn Văn A" in masked


def test_official_contacts_and_legal_numbers_are_kept():
    text = "Liên hệ sct@haiduong.gov.vn, ĐT 0220.3852.123. Quyết định 3164/QĐ-UBND ngày 29/10/2021; 1.860,24 ha."
    assert mask_personal_data(text) == text


def test_kept_domains_are_configurable():
    assert "cnht@example.org" in mask_personal_data("cnht@example.org", keep_email_domains=("example.org",))
    assert MASK in mask_personal_data("cnht@example.org", keep_email_domains=("gov.vn",))
