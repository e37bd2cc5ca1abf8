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


def test_passports_bracketed_mobiles_and_bank_accounts_are_masked():
    text = ("Hộ chiếu số B1234567; passport no. C7654321; điện thoại (091) 2345678; "
            "số tài khoản: 0123 4567 8901 tại Vietcombank; bank account 19033445566778.")
    masked = mask_personal_data(text)
    for secret in ("B1234567", "C7654321", "2345678", "0123 4567 8901", "19033445566778"):
        assert secret not in masked, secret
    assert masked.count(MASK) == 5 and "Vietcombank" in masked


def test_legal_numbers_near_the_new_context_words_are_kept():
    text = "Tài khoản 3164/QĐ-UBND không đổi; Điều 5 khoản 2; (0220) 3852123 là số của Sở."
    assert mask_personal_data(text) == text


def test_personal_data_in_the_title_and_metadata_is_masked(tmp_path):
    from ingest.pipeline import ParseOptions, parse_file

    source = tmp_path / "don-de-nghi.md"
    source.write_text(
        "---\nissuer: Ông Trần Văn B, ĐT 0912 345 678\ncontact: tranvanb@gmail.com\n---\n"
        "Đơn của ông Trần Văn B, CCCD 001085012345\n\nĐề nghị hỗ trợ kinh phí tham gia hội chợ.\n",
        encoding="utf-8",
    )
    result = parse_file(source, ParseOptions())
    assert not result.failures, result.failures
    document = result.documents[0]
    shown = " ".join([document.meta.title, document.meta.issuer, str(document.meta.extra)]
                     + [f"{c.text} {c.section} {c.heading}" for c in document.chunks])
    for secret in ("001085012345", "0912 345 678", "tranvanb@gmail.com"):
        assert secret not in shown, secret
    assert document.meta.title.startswith("Đơn của ông Trần Văn B")
