"""What the bot says, in Vietnamese and English."""
from __future__ import annotations

TEXTS = {
    "vi": {
        "greeting": (
            "Xin chào! Tôi là trợ lý hỏi đáp về chính sách công nghiệp hỗ trợ và công nghiệp công nghệ cao của "
            "{agency}. Hãy gửi câu hỏi của bạn; mỗi câu trả lời đều trích dẫn văn bản, điều, khoản.\n"
            "Chọn ngôn ngữ:"
        ),
        "choose_lang": "Chọn ngôn ngữ:",
        "lang_set": "Đã chọn tiếng Việt. Hãy gửi câu hỏi của bạn.",
        "help": (
            "Gửi câu hỏi bằng tiếng Việt hoặc tiếng Anh, ví dụ: «Doanh nghiệp công nghiệp hỗ trợ được hưởng ưu đãi gì?»\n"
            "/eligibility – kiểm tra điều kiện được hỗ trợ (/cancel để dừng)\n/programs – các chương trình hỗ trợ\n/subscribe – nhận thông báo văn bản, chương trình mới\n/lang – đổi ngôn ngữ\n/help – hướng dẫn\n"
            "Trong nhóm: nhắc tên tôi (@{username}) hoặc dùng /ask câu hỏi."
        ),
        "sources": "Nguồn:",
        "source_button": "Nguồn {n}",
        "page": "trang {page}",
        "thanks": "Cảm ơn phản hồi của bạn!",
        "rate_limited": "Bạn đang hỏi hơi nhanh. Vui lòng thử lại sau khoảng {seconds} giây.",
        "too_long": "Câu hỏi dài quá {limit} ký tự. Vui lòng rút gọn câu hỏi.",
        "ask_usage": "Hãy viết câu hỏi sau lệnh, ví dụ: /ask Tỉnh có bao nhiêu khu công nghiệp?",
        "error": "Xin lỗi, đã có lỗi khi xử lý tin nhắn của bạn. Vui lòng thử lại sau.",
        "source_missing": "Không tìm thấy trích dẫn này nữa.",
        "programs_title": "Các chương trình hỗ trợ:",
        "programs_none": "Chưa có chương trình hỗ trợ nào trong dữ liệu.",
        "status_open": "đang mở",
        "status_closed": "đã đóng",
        "status_upcoming": "sắp mở",
        "until": "hạn {date}",
        "from": "từ {date}",
        "sample": "dữ liệu mẫu",
        "cmd_start": "Bắt đầu và chọn ngôn ngữ",
        "cmd_ask": "Đặt câu hỏi (trong nhóm)",
        "cmd_programs": "Các chương trình hỗ trợ",
        "cmd_lang": "Đổi ngôn ngữ",
        "cmd_help": "Hướng dẫn sử dụng",
        "cmd_eligibility": "Kiểm tra điều kiện được hỗ trợ",
        "check_offer": "🔎 Kiểm tra điều kiện",
        "check_intro": "Tôi sẽ hỏi vài câu — chỉ những câu cần thiết — để xem doanh nghiệp có đủ điều kiện tham gia từng chương trình hỗ trợ.",
        "check_step": "Câu {n}",
        "check_type": "Hãy nhập câu trả lời.",
        "example": "Ví dụ: {example}",
        "back": "⬅️ Quay lại",
        "cancel": "✖ Hủy",
        "check_cancelled": "Đã hủy kiểm tra điều kiện. Gõ /eligibility để bắt đầu lại.",
        "check_title": "Kết quả kiểm tra điều kiện",
        "eligible": "đủ điều kiện",
        "not_eligible": "không đủ điều kiện",
        "unknown": "chưa xác định",
        "closed": "đã đóng",
        "prepare": "Hồ sơ cần chuẩn bị:",
        "apply_at": "Nơi nộp: {where}",
        "your_answer": "bạn trả lời: {value}",
        "cmd_subscribe": "Nhận thông báo văn bản, chương trình mới",
        "cmd_unsubscribe": "Ngừng nhận thông báo",
        "subscribed": "Đã đăng ký. Bạn sẽ nhận thông báo khi có thông báo, kế hoạch hoặc chương trình hỗ trợ mới. Gõ /unsubscribe để ngừng.",
        "unsubscribed": "Đã ngừng gửi thông báo. Gõ /subscribe để đăng ký lại.",
        "announce_notice": "📢 Văn bản mới: {title}",
        "announce_plan": "📢 Kế hoạch mới: {title}",
        "announce_program": "📢 Chương trình hỗ trợ mới: {title}",
        "announce_ask": "Bấm nút dưới đây hoặc gửi câu hỏi để tìm hiểu thêm.",
        "ask_about": "Hỏi về văn bản này",
        "not_text": (
            "Tôi chỉ đọc được tin nhắn chữ: hãy gõ câu hỏi, hoặc /help để xem hướng dẫn.\n"
            "I can only read text: type your question, or /help for help."
        ),
        "unknown_command": (
            "Tôi không biết lệnh này. Các lệnh: /start /ask /eligibility /programs /subscribe /unsubscribe /lang /help /cancel\n"
            "I do not know that command. Commands: /start /ask /eligibility /programs /subscribe /unsubscribe /lang /help /cancel"
        ),
        "cmd_cancel": "Dừng kiểm tra điều kiện đang làm",
        "nothing_to_cancel": "Không có gì để hủy. Gửi câu hỏi, hoặc /eligibility để kiểm tra điều kiện được hỗ trợ.",
        "check_moved_on": "Kiểm tra điều kiện đã sang bước khác; nút này không còn dùng được.",
        "not_your_check": "Đây là kiểm tra điều kiện của người khác. Gõ /eligibility để bắt đầu kiểm tra của bạn.",
        "check_back": "Tiếp tục kiểm tra điều kiện (gõ /cancel để dừng):",
        "check_for": "Dành cho {name}",
        "check_reply": "Trả lời (reply) tin nhắn này để nhập câu trả lời.",
        "vote_saved": "Đã ghi nhận đánh giá {mark} của bạn.",
        "vote_kept": "Bạn đã đánh giá {mark} rồi.",
    },
    "en": {
        "greeting": (
            "Hello! I answer questions about the supporting-industry and high-tech industry policy of the {agency}. "
            "Send your question; every answer cites the document, article and clause.\nChoose a language:"
        ),
        "choose_lang": "Choose a language:",
        "lang_set": "English selected. Send your question.",
        "help": (
            "Ask in English or Vietnamese, for example: “What incentives does a supporting-industry enterprise get?”\n"
            "/eligibility – check whether you qualify (/cancel to leave)\n/programs – support programs\n/subscribe – announcements of new notices and programs\n/lang – change language\n/help – this help\n"
            "In groups: mention me (@{username}) or use /ask your question."
        ),
        "sources": "Sources:",
        "source_button": "Source {n}",
        "page": "page {page}",
        "thanks": "Thank you for your feedback!",
        "rate_limited": "You are asking a little fast. Please try again in about {seconds} seconds.",
        "too_long": "The question is over {limit} characters. Please shorten it.",
        "ask_usage": "Write the question after the command, e.g. /ask How many industrial parks are there?",
        "error": "Sorry, something went wrong with your message. Please try again later.",
        "source_missing": "This citation is no longer available.",
        "programs_title": "Support programs:",
        "programs_none": "No support programs in the data yet.",
        "status_open": "open",
        "status_closed": "closed",
        "status_upcoming": "upcoming",
        "until": "until {date}",
        "from": "from {date}",
        "sample": "sample data",
        "cmd_start": "Start and choose a language",
        "cmd_ask": "Ask a question (in groups)",
        "cmd_programs": "Support programs",
        "cmd_lang": "Change language",
        "cmd_help": "How to use",
        "cmd_eligibility": "Check whether you qualify",
        "check_offer": "🔎 Check eligibility",
        "check_intro": "I will ask a few questions — only the ones that matter — to see which support programs your enterprise qualifies for.",
        "check_step": "Question {n}",
        "check_type": "Please type your answer.",
        "example": "For example: {example}",
        "back": "⬅️ Back",
        "cancel": "✖ Cancel",
        "check_cancelled": "Eligibility check cancelled. Send /eligibility to start again.",
        "check_title": "Eligibility check result",
        "eligible": "eligible",
        "not_eligible": "not eligible",
        "unknown": "can't tell yet",
        "closed": "closed",
        "prepare": "Documents to prepare:",
        "apply_at": "Where to apply: {where}",
        "your_answer": "your answer: {value}",
        "cmd_subscribe": "Get announcements of new notices and programs",
        "cmd_unsubscribe": "Stop announcements",
        "subscribed": "Subscribed. You will hear of new notices, plans and support programs. Send /unsubscribe to stop.",
        "unsubscribed": "Announcements stopped. Send /subscribe to start again.",
        "announce_notice": "📢 New notice: {title}",
        "announce_plan": "📢 New plan: {title}",
        "announce_program": "📢 New support program: {title}",
        "announce_ask": "Press the button below or send a question to learn more.",
        "ask_about": "Ask about it",
        "not_text": (
            "I can only read text: type your question, or /help for help.\n"
            "Tôi chỉ đọc được tin nhắn chữ: hãy gõ câu hỏi, hoặc /help để xem hướng dẫn."
        ),
        "unknown_command": (
            "I do not know that command. Commands: /start /ask /eligibility /programs /subscribe /unsubscribe /lang /help /cancel\n"
            "Tôi không biết lệnh này. Các lệnh: /start /ask /eligibility /programs /subscribe /unsubscribe /lang /help /cancel"
        ),
        "cmd_cancel": "Leave the eligibility check in progress",
        "nothing_to_cancel": "Nothing to cancel. Send a question, or /eligibility to check whether you qualify for support.",
        "check_moved_on": "This check has moved on; this button no longer applies.",
        "not_your_check": "This check belongs to someone else. Send /eligibility to start your own.",
        "check_back": "Back to the eligibility check (send /cancel to leave it):",
        "check_for": "For {name}",
        "check_reply": "Reply to this message with your answer.",
        "vote_saved": "Your {mark} is recorded.",
        "vote_kept": "You already rated it {mark}.",
    },
}


def say(lang: str, key: str, **values: object) -> str:
    """The bot's sentence `key` in `lang` (English for any language but Vietnamese)."""
    template = TEXTS["vi" if lang == "vi" else "en"][key]
    return template.format(**values) if values else template
