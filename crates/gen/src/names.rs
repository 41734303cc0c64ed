//! Vietnamese names and wording the generator draws from: the departments of a province, the
//! vụ/cục of a ministry, communes and wards, people, tasks, report text and indicators.
//! Written here in NFC; every generated string is normalised again where it is made.

/// Sở, ban, ngành of a province: (code, name before "tỉnh X" / "thành phố X").
pub const DEPARTMENTS: &[(&str, &str)] = &[
    ("SO-NV", "Sở Nội vụ"),
    ("SO-TC", "Sở Tài chính"),
    ("SO-TP", "Sở Tư pháp"),
    ("SO-CT", "Sở Công Thương"),
    ("SO-NNMT", "Sở Nông nghiệp và Môi trường"),
    ("SO-XD", "Sở Xây dựng"),
    ("SO-KHCN", "Sở Khoa học và Công nghệ"),
    ("SO-GDDT", "Sở Giáo dục và Đào tạo"),
    ("SO-YT", "Sở Y tế"),
    ("SO-VHTTDL", "Sở Văn hóa, Thể thao và Du lịch"),
    ("SO-NGV", "Sở Ngoại vụ"),
    ("SO-DTTG", "Sở Dân tộc và Tôn giáo"),
    ("VP-UBND", "Văn phòng Ủy ban nhân dân"),
    ("TTR", "Thanh tra"),
    ("BQL-KKT", "Ban Quản lý các khu kinh tế"),
    ("BQL-DA", "Ban Quản lý dự án đầu tư xây dựng"),
    ("CA", "Công an"),
    ("BCHQS", "Bộ Chỉ huy quân sự"),
    ("DPTTH", "Đài Phát thanh và Truyền hình"),
    ("BAO", "Báo"),
    (
        "TT-XTDT",
        "Trung tâm Xúc tiến đầu tư, thương mại và du lịch",
    ),
    ("TT-PVHCC", "Trung tâm Phục vụ hành chính công"),
];

/// Vụ, cục, văn phòng of a ministry: (code, name).
pub const MINISTRY_UNITS: &[(&str, &str)] = &[
    ("VP", "Văn phòng Bộ"),
    ("TTR", "Thanh tra Bộ"),
    ("VU-TCCB", "Vụ Tổ chức cán bộ"),
    ("VU-KHTC", "Vụ Kế hoạch - Tài chính"),
    ("VU-PC", "Vụ Pháp chế"),
    ("VU-HTQT", "Vụ Hợp tác quốc tế"),
    ("VU-KHCN", "Vụ Khoa học, Công nghệ và Môi trường"),
    ("VU-TDKT", "Vụ Thi đua - Khen thưởng"),
    ("CUC-CNTT", "Cục Chuyển đổi số"),
    ("CUC-QLCL", "Cục Quản lý chất lượng"),
    ("CUC-TT", "Cục Thông tin cơ sở"),
    ("CUC-KT", "Cục Kinh tế"),
    ("CUC-DT", "Cục Đào tạo"),
    ("CUC-QLTT", "Cục Quản lý thị trường"),
    ("TT-TT", "Trung tâm Thông tin"),
    ("VIEN-CL", "Viện Chiến lược và Chính sách"),
    ("BAO", "Báo điện tử của Bộ"),
    ("TAP-CHI", "Tạp chí của Bộ"),
    ("TRUONG-CB", "Trường Bồi dưỡng cán bộ"),
    ("BQL-DA", "Ban Quản lý các dự án"),
];

/// Public service units (đơn vị sự nghiệp công lập) a province runs, by kind: (code prefix,
/// name prefix). Each gets a place name after it.
pub const PUBLIC_UNITS: &[(&str, &str)] = &[
    ("THPT", "Trường Trung học phổ thông"),
    ("BV", "Bệnh viện đa khoa khu vực"),
    ("TTYT", "Trung tâm Y tế khu vực"),
    ("GDNN", "Trung tâm Giáo dục nghề nghiệp"),
    ("TTVH", "Trung tâm Văn hóa - Thể thao"),
    ("BQL-RPH", "Ban Quản lý rừng phòng hộ"),
    ("TTKN", "Trung tâm Khuyến nông"),
    ("CCTK", "Chi cục Thống kê khu vực"),
];

/// Syllables of place names: a commune is named by two of them ("Tân Phú", "Hòa Bình").
pub const PLACE_FIRST: &[&str] = &[
    "Tân", "Hòa", "Phước", "An", "Bình", "Long", "Thạnh", "Vĩnh", "Đông", "Tây", "Nam", "Bắc",
    "Hưng", "Phú", "Mỹ", "Thuận", "Quang", "Xuân", "Hải", "Trung", "Hồng", "Kim", "Cẩm", "Yên",
    "Đức", "Minh", "Thanh", "Ngọc", "Sơn", "Hương",
];
pub const PLACE_SECOND: &[&str] = &[
    "Phú", "Bình", "Lợi", "Thành", "Hòa", "An", "Lộc", "Thịnh", "Hưng", "Hiệp", "Tiến", "Trạch",
    "Điền", "Khánh", "Phong", "Lâm", "Hà", "Giang", "Sơn", "Thủy", "Tâm", "Định", "Nghĩa", "Đông",
    "Mỹ", "Xuân", "Long", "Thuận", "Quang", "Vinh",
];

/// People: family names, middle names and given names.
pub const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý",
];
pub const MIDDLE: &[&str] = &[
    "Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quốc", "Thu",
];
pub const GIVEN: &[&str] = &[
    "An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Hương", "Khoa",
    "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phong", "Quân", "Sơn", "Tâm", "Thảo", "Trang",
    "Tuấn", "Vân", "Việt", "Yến",
];

/// The kinds of program documents: (kind of the number, Vietnamese title head, issuer code).
pub const PROGRAM_KINDS: &[(&str, &str, &str)] = &[
    (
        "NQ-CP",
        "Nghị quyết ban hành Chương trình hành động của Chính phủ về",
        "CP",
    ),
    ("QĐ-TTg", "Quyết định phê duyệt Chương trình", "TTG"),
    ("QĐ-TTg", "Quyết định ban hành Kế hoạch thực hiện", "TTG"),
    ("CT-TTg", "Chỉ thị về việc đẩy mạnh", "TTG"),
    (
        "NQ-CP",
        "Nghị quyết về những nhiệm vụ, giải pháp chủ yếu thực hiện",
        "CP",
    ),
];

/// What a program is about.
pub const PROGRAM_SUBJECTS: &[&str] = &[
    "chuyển đổi số quốc gia",
    "phát triển kinh tế số và xã hội số",
    "cải cách hành chính nhà nước",
    "phát triển nguồn nhân lực chất lượng cao",
    "bảo vệ môi trường và ứng phó với biến đổi khí hậu",
    "phát triển nông nghiệp xanh, bền vững",
    "nâng cao chất lượng giáo dục phổ thông",
    "chăm sóc sức khỏe nhân dân",
    "phát triển văn hóa, con người Việt Nam",
    "thông tin đối ngoại",
    "phòng, chống tham nhũng, tiêu cực",
    "phát triển hạ tầng giao thông",
    "xây dựng nông thôn mới",
    "giảm nghèo bền vững",
    "phát triển khoa học, công nghệ và đổi mới sáng tạo",
    "bảo đảm an sinh xã hội",
    "phát triển du lịch",
    "hội nhập kinh tế quốc tế",
    "phát triển năng lượng tái tạo",
    "quản lý, sử dụng đất đai hiệu quả",
];

/// Task groups of a program.
pub const GROUPS: &[&str] = &[
    "Hoàn thiện thể chế, chính sách",
    "Tuyên truyền, nâng cao nhận thức",
    "Phát triển hạ tầng và nguồn lực",
    "Ứng dụng công nghệ, chuyển đổi số",
    "Kiểm tra, giám sát, đánh giá",
];

/// A task is a verb and an object ("Xây dựng" "cơ sở dữ liệu ...").
pub const TASK_VERBS: &[&str] = &[
    "Xây dựng",
    "Rà soát, sửa đổi",
    "Tổ chức triển khai",
    "Nghiên cứu, đề xuất",
    "Hoàn thiện",
    "Đẩy mạnh",
    "Tổng kết, đánh giá",
    "Hướng dẫn thực hiện",
    "Kiểm tra việc thực hiện",
    "Tăng cường",
];
pub const TASK_OBJECTS: &[&str] = &[
    "cơ sở dữ liệu chuyên ngành",
    "văn bản quy phạm pháp luật liên quan",
    "kế hoạch thực hiện giai đoạn",
    "chương trình đào tạo, bồi dưỡng cán bộ",
    "hệ thống thông tin báo cáo",
    "cơ chế phối hợp liên ngành",
    "đề án thí điểm tại địa phương",
    "bộ tiêu chí đánh giá",
    "hoạt động truyền thông",
    "nền tảng số dùng chung",
    "danh mục dịch vụ công trực tuyến",
    "quy chế quản lý, vận hành",
];

/// Time frames as documents write them.
pub const TIME_FRAMES: &[&str] = &[
    "Hằng năm",
    "Thường xuyên",
    "2021 - 2025",
    "2022 - 2025",
    "2020 - 2022",
    "2023 - 2025",
    "2021",
    "2022",
    "2023",
    "2024",
    "2025",
    "Quý II/2022",
    "Quý IV/2023",
    "Quý III/2024",
    "Tháng 6/2025",
    "2024 - 2026",
];

/// Outputs of a task.
pub const OUTPUTS: &[&str] = &[
    "Nghị định",
    "Quyết định của Thủ tướng Chính phủ",
    "Thông tư",
    "Báo cáo",
    "Đề án",
    "Hệ thống được đưa vào vận hành",
    "Kế hoạch",
];

/// Pieces of report text.
pub const RESULTS: &[&str] = &[
    "Đã ban hành kế hoạch triển khai và phân công đơn vị chủ trì",
    "Đã tổ chức hội nghị quán triệt tới các đơn vị trực thuộc",
    "Đã hoàn thành dự thảo và gửi lấy ý kiến các cơ quan liên quan",
    "Đã tổ chức các lớp tập huấn cho cán bộ, công chức",
    "Đã đưa hệ thống vào vận hành thử nghiệm",
    "Đã tổng hợp số liệu và xây dựng báo cáo đánh giá",
];
pub const DIFFICULTIES: &[&str] = &[
    "",
    "Kinh phí bố trí còn chậm",
    "Thiếu nhân lực có chuyên môn phù hợp",
    "Việc phối hợp giữa các đơn vị chưa chặt chẽ",
    "Hạ tầng kỹ thuật chưa đồng bộ",
];
pub const RECOMMENDATIONS: &[&str] = &[
    "",
    "Đề nghị bổ sung kinh phí thực hiện",
    "Đề nghị gia hạn thời gian hoàn thành",
    "Đề nghị Bộ chủ quản hướng dẫn thống nhất",
];
pub const RETURN_COMMENTS: &[&str] = &[
    "Đề nghị bổ sung số liệu cụ thể về kết quả đạt được",
    "Báo cáo chưa nêu rõ tiến độ so với kế hoạch, đề nghị hoàn thiện",
    "Đề nghị đính kèm văn bản đã ban hành",
];

/// Indicators: (name, unit, target, baseline).
pub const INDICATORS: &[(&str, &str, &str, f64)] = &[
    (
        "Tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến",
        "%",
        "≥ 80",
        35.0,
    ),
    (
        "Tỷ lệ dân số trưởng thành có chữ ký số cá nhân",
        "%",
        "≥ 50",
        5.0,
    ),
    ("Tỷ lệ hộ gia đình có kết nối cáp quang", "%", "≥ 80", 40.0),
    (
        "Tỷ lệ trường học có kết nối Internet băng rộng",
        "%",
        "100",
        70.0,
    ),
    ("Tỷ lệ xã đạt chuẩn nông thôn mới", "%", "≥ 80", 50.0),
    ("Tỷ lệ hộ nghèo theo chuẩn đa chiều", "%", "≤ 3", 8.0),
    (
        "Số cán bộ được bồi dưỡng kỹ năng số",
        "người",
        "≥ 5000",
        500.0,
    ),
    ("Tỷ lệ che phủ rừng", "%", "≥ 42", 38.0),
    (
        "Tỷ lệ chất thải rắn sinh hoạt được thu gom, xử lý",
        "%",
        "≥ 90",
        70.0,
    ),
    ("Tỷ lệ người dân tham gia bảo hiểm y tế", "%", "≥ 95", 88.0),
    (
        "Số doanh nghiệp công nghệ số",
        "doanh nghiệp",
        "≥ 1000",
        200.0,
    ),
    ("Tỷ trọng kinh tế số trong GRDP", "%", "≥ 20", 8.0),
];
