"""The signer under a document's signature block, in the layouts real offices produce."""
from ingest.models import Block
from ingest.signature import find_signature, signer_name


def paragraphs(*texts: str) -> list[Block]:
    return [Block(t, page=3) for t in texts]


def test_paragraph_block_gives_the_signers_own_position_and_name():
    blocks = paragraphs("Trên đây là ý kiến tham gia của Sở./.", "Nơi nhận:", "- Như trên;", "- Lưu: VT.",
                        "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Phạm Bình Minh")
    signature = find_signature(blocks)
    assert (signature.name, signature.title, signature.page) == ("Phạm Bình Minh", "Phó Giám đốc", 3)


def test_table_rows_with_recipients_beside_the_position():
    # a .doc table read row by row: the recipients' cells come between the position and the name
    blocks = [Block("KT. BỘ TRƯỞNG", kind="table_row"), Block("Nơi nhận: | THỨ TRƯỞNG", kind="table_row"),
              Block("- Văn phòng Chính phủ;", kind="table_row"), Block("- Các Bộ, cơ quan ngang Bộ; | Phan Thị Thắng", kind="table_row"),
              Block("- Lưu: VT.", kind="table_row")]
    signature = find_signature(blocks)
    assert (signature.name, signature.title) == ("Phan Thị Thắng", "Thứ trưởng")


def test_government_block_keeps_capitals_of_names_in_the_title():
    blocks = [Block("Nơi nhận:\n- Ban Bí thư;\n- Lưu: VT. | TM. CHÍNH PHỦ\nKT. THỦ TƯỚNG\nPHÓ THỦ TƯỚNG\n\nNguyễn Văn Thắng", kind="table_row")]
    assert find_signature(blocks).title == "Phó Thủ tướng"
    assert find_signature(paragraphs("CHỦ TỊCH QUỐC HỘI", "Trần Thanh Mẫn")).title == "Chủ tịch Quốc hội"


def test_rank_and_signed_marks_are_not_part_of_the_name():
    assert signer_name("Thượng tướng Tô Lâm") == "Tô Lâm"
    assert signer_name("(Đã ký) Nguyễn Văn A") == "Nguyễn Văn A"
    # two signers of an agreement side by side: the first
    blocks = paragraphs("THAY MẶT CHÍNH PHỦ NƯỚC CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Đã ký: Bùi Văn Sướng Đã ký: Đường Gia Triền")
    assert find_signature(blocks).name == "Bùi Văn Sướng"


def test_no_name_no_signer():
    # a form template's signature line, and an enacting formula followed by the legal basis
    assert find_signature(paragraphs("Nơi nhận:", "- Lưu: VT.", "CHỦ TỊCH", "(ký tên và đóng dấu)", "PHỤ LỤC I", "Nguyễn Văn A")) is None
    assert find_signature(paragraphs("BỘ TRƯỞNG BỘ CÔNG THƯƠNG", "Căn cứ Luật Hóa chất;", "Theo đề nghị của Vụ trưởng;")) is None
    assert signer_name("Như trên") == ""
    assert signer_name("Sở Công Thương") == ""


def test_a_heading_after_the_position_is_not_a_name():
    # an enacting formula in capitals, then the legal basis and the first chapter: no signer, nothing guessed
    blocks = paragraphs("BỘ TRƯỞNG BỘ CÔNG THƯƠNG", "Căn cứ Luật Hóa chất;", "ban hành Thông tư.", "Chương I", "QUY ĐỊNH CHUNG")
    assert find_signature(blocks) is None
    assert signer_name("Chương I") == ""


def test_an_acting_head_keeps_the_word_acting():
    assert find_signature(paragraphs("Q. GIÁM ĐỐC", "Nguyễn Văn Bình")).title == "Quyền giám đốc"
    assert find_signature(paragraphs("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Lê Văn Hiệu")).title == "Phó Chủ tịch"
