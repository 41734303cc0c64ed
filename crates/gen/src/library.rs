//! The library's generated corpus: items of the external-information library (articles,
//! documents, speeches, media, datasets) in a realistic mix of languages, built from real
//! vocabulary — Vietnamese words with their diacritics, English, and shorter lists for French,
//! German, Russian, Norwegian, Polish and Chinese — and the labelled queries that judge a search
//! engine on it.
//!
//! Pure and deterministic: item `i` is drawn from its own ChaCha8 stream (the seed, "library"
//! and `i`), so the same seed gives the same items, in the same order, at any count, and item
//! `i` is the same whether 1,000 or 1,000,000 are generated. Nothing is written here: `dongbo
//! gen` writes these items through the library's store, the search bench indexes them.
//!
//! **Why the words matter.** Each topic has its characteristic terms, and the Vietnamese lists
//! hold on purpose the minimal pairs that fold alike — *Đà Nẵng* (a city, tourism) and *đa
//! năng* (multi-purpose, technology), *đường* / *dương* / *đương*, *bảo* / *bão*, *biên* /
//! *biển* / *biến* — so a query typed without diacritics meets the ambiguity it meets in real
//! text, and the nDCG of folded queries measures something.

use chrono::NaiveDate;
use dongbo_domain::geo::Countries;
use dongbo_domain::library::{ItemKind, Visibility};
use dongbo_domain::text::fold;
use dongbo_store::library::{Incoming, ItemData, Provenance, items, topics};

use crate::{Rng, stream};

/// One generated library item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedItem {
    /// 1, 2, 3… in generation order (the item's id in a fresh database).
    pub id: i64,
    pub title: String,
    pub summary: String,
    /// 200–2,000 words (runs of text between spaces).
    pub body: String,
    /// ISO 639-1: "vi", "en", "fr", "de", "ru", "no", "pl", "zh".
    pub language: &'static str,
    /// "article", "document", "report", "white_paper", "speech", "video", "image_set",
    /// "infographic", "dataset".
    pub kind: &'static str,
    /// Topic codes, the primary first, then sometimes a secondary one.
    pub topics: Vec<&'static str>,
    /// ISO 3166-1 alpha-2 codes ("VN" almost always, and a partner or two).
    pub countries: Vec<&'static str>,
    pub visibility: ItemVisibility,
    /// The owner agency's code, from `data/agencies`.
    pub agency: &'static str,
    pub published_on: NaiveDate,
}

/// Who may read a generated item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemVisibility {
    Public,
    /// Anyone working in government.
    Government,
    /// Only these agencies (and the owner).
    Restricted(Vec<&'static str>),
}

/// A topic of the controlled vocabulary: its code, names, and the terms its items use.
#[derive(Debug, Clone, Copy)]
pub struct Topic {
    pub code: &'static str,
    /// The Vietnamese name, also the first of its terms.
    pub name_vi: &'static str,
    pub name_en: &'static str,
    /// Characteristic Vietnamese terms (words of one to five syllables, with diacritics).
    pub terms_vi: &'static [&'static str],
    /// Characteristic English terms.
    pub terms_en: &'static [&'static str],
}

/// The starting topics: the groups of 47/NQ-CP and the external-information work.
pub const TOPICS: [Topic; 25] = [
    Topic {
        code: "thong-tin-doi-ngoai",
        name_vi: "thông tin đối ngoại",
        name_en: "external information",
        terms_vi: &[
            "thông tin đối ngoại",
            "tuyên truyền đối ngoại",
            "quảng bá hình ảnh quốc gia",
            "phóng viên nước ngoài",
            "báo chí nước ngoài",
            "đấu tranh phản bác thông tin sai lệch",
            "người phát ngôn",
        ],
        terms_en: &[
            "external information",
            "national image",
            "foreign correspondents",
            "public diplomacy",
            "spokesperson",
        ],
    },
    Topic {
        code: "ngoai-giao-van-hoa",
        name_vi: "ngoại giao văn hóa",
        name_en: "cultural diplomacy",
        terms_vi: &[
            "ngoại giao văn hóa",
            "di sản văn hóa thế giới",
            "giao lưu văn hóa",
            "tuần văn hóa Việt Nam",
            "áo dài",
            "nghệ thuật truyền thống",
            "quyền mềm",
        ],
        terms_en: &[
            "cultural diplomacy",
            "world heritage",
            "cultural exchange",
            "traditional arts",
            "soft power",
        ],
    },
    Topic {
        code: "ngoai-giao-nhan-dan",
        name_vi: "ngoại giao nhân dân",
        name_en: "people-to-people diplomacy",
        terms_vi: &[
            "ngoại giao nhân dân",
            "hội hữu nghị",
            "giao lưu nhân dân",
            "tổ chức phi chính phủ nước ngoài",
            "tình đoàn kết",
            "liên hiệp các tổ chức hữu nghị",
        ],
        terms_en: &[
            "people-to-people diplomacy",
            "friendship association",
            "non-governmental organisations",
            "solidarity",
        ],
    },
    Topic {
        code: "nguoi-viet-o-nuoc-ngoai",
        name_vi: "người Việt Nam ở nước ngoài",
        name_en: "overseas Vietnamese",
        terms_vi: &[
            "người Việt Nam ở nước ngoài",
            "kiều bào",
            "cộng đồng người Việt",
            "dạy tiếng Việt",
            "kiều hối",
            "trí thức kiều bào",
            "Xuân Quê hương",
        ],
        terms_en: &[
            "overseas Vietnamese",
            "diaspora",
            "remittances",
            "Vietnamese language classes",
        ],
    },
    Topic {
        code: "chu-quyen-bien-dao",
        name_vi: "chủ quyền biển đảo",
        name_en: "maritime sovereignty",
        terms_vi: &[
            "chủ quyền biển đảo",
            "quần đảo Hoàng Sa",
            "quần đảo Trường Sa",
            "Biển Đông",
            "vùng đặc quyền kinh tế",
            "ngư dân bám biển",
            "Công ước Liên Hợp Quốc về Luật Biển",
            "Thái Bình Dương",
        ],
        terms_en: &[
            "maritime sovereignty",
            "East Sea",
            "Paracel Islands",
            "Spratly Islands",
            "exclusive economic zone",
            "UNCLOS",
        ],
    },
    Topic {
        code: "bien-gioi",
        name_vi: "biên giới",
        name_en: "land border",
        terms_vi: &[
            "biên giới",
            "cột mốc",
            "đường biên giới",
            "cửa khẩu quốc tế",
            "phân giới cắm mốc",
            "bộ đội biên phòng",
        ],
        terms_en: &[
            "land border",
            "border markers",
            "border gate",
            "demarcation",
            "border guards",
        ],
    },
    Topic {
        code: "hoi-nhap-quoc-te",
        name_vi: "hội nhập quốc tế",
        name_en: "international integration",
        terms_vi: &[
            "hội nhập quốc tế",
            "hiệp định thương mại tự do",
            "đối tác chiến lược toàn diện",
            "ngoại giao đa phương",
            "Cộng đồng ASEAN",
            "Liên Hợp Quốc",
        ],
        terms_en: &[
            "international integration",
            "free trade agreement",
            "comprehensive strategic partnership",
            "multilateral diplomacy",
            "ASEAN Community",
        ],
    },
    Topic {
        code: "du-lich",
        name_vi: "du lịch",
        name_en: "tourism",
        terms_vi: &[
            "du lịch",
            "Đà Nẵng",
            "vịnh Hạ Long",
            "phố cổ Hội An",
            "du khách quốc tế",
            "điểm đến hấp dẫn",
            "thị thực điện tử",
            "lữ hành",
        ],
        terms_en: &[
            "tourism",
            "international visitors",
            "Ha Long Bay",
            "travel destination",
            "e-visa",
            "Da Nang",
        ],
    },
    Topic {
        code: "giao-duc",
        name_vi: "giáo dục",
        name_en: "education",
        terms_vi: &[
            "giáo dục",
            "học bổng",
            "du học sinh",
            "trường đại học",
            "đào tạo nguồn nhân lực",
            "sinh viên quốc tế",
        ],
        terms_en: &[
            "education",
            "scholarships",
            "international students",
            "universities",
            "teacher training",
        ],
    },
    Topic {
        code: "khoa-hoc-cong-nghe",
        name_vi: "khoa học công nghệ",
        name_en: "science and technology",
        terms_vi: &[
            "khoa học công nghệ",
            "đổi mới sáng tạo",
            "chất bán dẫn",
            "trí tuệ nhân tạo",
            "thiết bị đa năng",
            "robot đa năng",
            "phòng thí nghiệm",
        ],
        terms_en: &[
            "science and technology",
            "innovation",
            "semiconductors",
            "artificial intelligence",
            "research laboratory",
        ],
    },
    Topic {
        code: "chuyen-doi-so",
        name_vi: "chuyển đổi số",
        name_en: "digital transformation",
        terms_vi: &[
            "chuyển đổi số",
            "nền tảng số",
            "cơ sở dữ liệu",
            "an toàn thông tin mạng",
            "mạng xã hội",
            "chính phủ số",
        ],
        terms_en: &[
            "digital transformation",
            "digital platforms",
            "database",
            "social media",
            "cybersecurity",
        ],
    },
    Topic {
        code: "kinh-te-dau-tu",
        name_vi: "đầu tư nước ngoài",
        name_en: "foreign investment",
        terms_vi: &[
            "đầu tư nước ngoài",
            "kim ngạch xuất khẩu",
            "xúc tiến thương mại",
            "doanh nghiệp",
            "vốn FDI",
            "chuỗi cung ứng",
        ],
        terms_en: &[
            "foreign investment",
            "exports",
            "trade promotion",
            "supply chains",
            "investors",
        ],
    },
    Topic {
        code: "moi-truong-khi-hau",
        name_vi: "biến đổi khí hậu",
        name_en: "climate change",
        terms_vi: &[
            "biến đổi khí hậu",
            "bảo vệ môi trường",
            "phát thải ròng bằng không",
            "năng lượng tái tạo",
            "Đồng bằng sông Cửu Long",
            "nước biển dâng",
        ],
        terms_en: &[
            "climate change",
            "net zero",
            "renewable energy",
            "Mekong Delta",
            "sea level rise",
        ],
    },
    Topic {
        code: "quoc-phong-an-ninh",
        name_vi: "quốc phòng",
        name_en: "defence",
        terms_vi: &[
            "quốc phòng",
            "an ninh quốc gia",
            "gìn giữ hòa bình Liên Hợp Quốc",
            "hợp tác quốc phòng",
            "bảo vệ Tổ quốc",
        ],
        terms_en: &[
            "defence",
            "national security",
            "peacekeeping",
            "defence cooperation",
        ],
    },
    Topic {
        code: "nhan-quyen",
        name_vi: "quyền con người",
        name_en: "human rights",
        terms_vi: &[
            "quyền con người",
            "tự do tín ngưỡng tôn giáo",
            "bình đẳng giới",
            "báo cáo quốc gia theo cơ chế UPR",
            "Hội đồng Nhân quyền",
        ],
        terms_en: &[
            "human rights",
            "religious freedom",
            "gender equality",
            "universal periodic review",
            "Human Rights Council",
        ],
    },
    Topic {
        code: "the-thao",
        name_vi: "thể thao",
        name_en: "sport",
        terms_vi: &[
            "thể thao",
            "SEA Games",
            "bóng đá",
            "vận động viên",
            "huy chương vàng",
        ],
        terms_en: &["sport", "athletes", "football", "gold medal", "SEA Games"],
    },
    Topic {
        code: "y-te",
        name_vi: "y tế",
        name_en: "health",
        terms_vi: &[
            "y tế",
            "chăm sóc sức khỏe",
            "vắc xin",
            "bệnh viện",
            "phòng chống dịch bệnh",
        ],
        terms_en: &["health", "vaccines", "hospitals", "pandemic", "health care"],
    },
    Topic {
        code: "nong-nghiep",
        name_vi: "nông nghiệp",
        name_en: "agriculture",
        terms_vi: &[
            "nông nghiệp",
            "xuất khẩu gạo",
            "cà phê",
            "nông sản",
            "hồ tiêu",
            "thủy sản",
        ],
        terms_en: &[
            "agriculture",
            "rice exports",
            "coffee",
            "seafood",
            "farm produce",
        ],
    },
    Topic {
        code: "lich-su-truyen-thong",
        name_vi: "lịch sử",
        name_en: "history",
        terms_vi: &[
            "lịch sử",
            "Chủ tịch Hồ Chí Minh",
            "di tích lịch sử",
            "bảo tàng",
            "kháng chiến",
            "truyền thống dựng nước và giữ nước",
        ],
        terms_en: &[
            "history",
            "President Ho Chi Minh",
            "museum",
            "historic sites",
        ],
    },
    Topic {
        code: "bao-chi-truyen-thong",
        name_vi: "báo chí",
        name_en: "press",
        terms_vi: &[
            "báo chí",
            "truyền hình",
            "phát thanh",
            "nhà báo",
            "xuất bản",
            "thông tấn",
        ],
        terms_en: &["press", "television", "radio", "journalists", "publishing"],
    },
    Topic {
        code: "ha-tang-giao-thong",
        name_vi: "hạ tầng giao thông",
        name_en: "transport infrastructure",
        terms_vi: &[
            "hạ tầng giao thông",
            "đường cao tốc",
            "đường sắt tốc độ cao",
            "cảng biển",
            "sân bay quốc tế",
            "đường bộ",
        ],
        terms_en: &[
            "transport infrastructure",
            "expressway",
            "high-speed railway",
            "seaport",
            "airport",
        ],
    },
    Topic {
        code: "dan-toc-ton-giao",
        name_vi: "dân tộc thiểu số",
        name_en: "ethnic minorities",
        terms_vi: &[
            "dân tộc thiểu số",
            "đồng bào",
            "vùng sâu vùng xa",
            "miền núi",
            "tôn giáo",
        ],
        terms_en: &[
            "ethnic minorities",
            "mountainous areas",
            "religion",
            "remote areas",
        ],
    },
    Topic {
        code: "van-hoc-nghe-thuat",
        name_vi: "văn học nghệ thuật",
        name_en: "literature and the arts",
        terms_vi: &[
            "văn học nghệ thuật",
            "điện ảnh",
            "âm nhạc",
            "dịch thuật",
            "tác phẩm",
            "nghệ sĩ",
        ],
        terms_en: &["literature", "cinema", "music", "translation", "artists"],
    },
    Topic {
        code: "lao-dong-viec-lam",
        name_vi: "lao động việc làm",
        name_en: "labour and employment",
        terms_vi: &[
            "lao động việc làm",
            "người lao động",
            "lao động ở nước ngoài",
            "an sinh xã hội",
            "bảo hiểm xã hội",
        ],
        terms_en: &["employment", "labour", "migrant workers", "social security"],
    },
    Topic {
        code: "phong-chong-thien-tai",
        name_vi: "phòng chống thiên tai",
        name_en: "disaster prevention",
        terms_vi: &[
            "phòng chống thiên tai",
            "bão",
            "áp thấp nhiệt đới",
            "cứu hộ cứu nạn",
            "sạt lở đất",
            "lũ quét",
        ],
        terms_en: &[
            "disaster prevention",
            "typhoon",
            "landslides",
            "rescue",
            "flash floods",
        ],
    },
];

/// Vietnamese words of every topic's text. Some hold syllables of the minimal pairs (*bảo
/// đảm*, *đường lối*, *tương đương*, *đại dương*, *biến động*), as real text does.
const GENERAL_VI: &[&str] = &[
    "phát triển",
    "tăng cường",
    "hợp tác",
    "quốc tế",
    "Việt Nam",
    "Chính phủ",
    "nhân dân",
    "kế hoạch",
    "triển khai",
    "nhiệm vụ",
    "giải pháp",
    "hiệu quả",
    "nâng cao",
    "chất lượng",
    "đẩy mạnh",
    "xây dựng",
    "thực hiện",
    "chương trình",
    "hoạt động",
    "tổ chức",
    "cơ quan",
    "địa phương",
    "bộ ngành",
    "năm",
    "kết quả",
    "đánh giá",
    "báo cáo",
    "tình hình",
    "chính sách",
    "pháp luật",
    "quy định",
    "văn bản",
    "đề xuất",
    "thống nhất",
    "phối hợp",
    "trách nhiệm",
    "công tác",
    "lãnh đạo",
    "chỉ đạo",
    "người dân",
    "xã hội",
    "kinh tế",
    "văn hóa",
    "con người",
    "đất nước",
    "thế giới",
    "khu vực",
    "quan hệ",
    "bạn bè",
    "hòa bình",
    "ổn định",
    "bền vững",
    "toàn diện",
    "sâu rộng",
    "tích cực",
    "chủ động",
    "kịp thời",
    "minh bạch",
    "hội nghị",
    "hội thảo",
    "diễn đàn",
    "sự kiện",
    "chuyến thăm",
    "đoàn đại biểu",
    "phát biểu",
    "khẳng định",
    "nhấn mạnh",
    "cho biết",
    "theo",
    "trong",
    "của",
    "và",
    "với",
    "cho",
    "các",
    "những",
    "được",
    "đã",
    "đang",
    "sẽ",
    "là",
    "có",
    "tại",
    "từ",
    "đến",
    "về",
    "nhằm",
    "để",
    "nhiều",
    "mới",
    "quan trọng",
    "cơ hội",
    "thách thức",
    "tiềm năng",
    "nguồn lực",
    "thông điệp",
    "truyền thông",
    "nội dung",
    "phương thức",
    "sáng tạo",
    "linh hoạt",
    "Thủ tướng",
    "Bộ trưởng",
    "Đại sứ",
    "Đại sứ quán",
    "Tổng lãnh sự quán",
    "đại diện",
    "bảo đảm",
    "đường lối",
    "tương đương",
    "đại dương",
    "biến động",
    "tỉnh",
    "thành phố",
    "Hà Nội",
    "Thành phố Hồ Chí Minh",
    "ký kết",
    "thỏa thuận",
    "biên bản ghi nhớ",
    "tiếp tục",
    "góp phần",
    "ủng hộ",
    "tin cậy",
    "lâu dài",
];

const GENERAL_EN: &[&str] = &[
    "Viet Nam",
    "the Government",
    "cooperation",
    "development",
    "international",
    "partners",
    "agreement",
    "ministry",
    "agencies",
    "provinces",
    "people",
    "strengthen",
    "promote",
    "programme",
    "plan",
    "results",
    "policy",
    "law",
    "report",
    "meeting",
    "conference",
    "forum",
    "visit",
    "delegation",
    "Prime Minister",
    "Minister",
    "Ambassador",
    "embassy",
    "said",
    "stressed",
    "affirmed",
    "the",
    "of",
    "and",
    "in",
    "to",
    "with",
    "for",
    "on",
    "a",
    "is",
    "was",
    "has",
    "will",
    "new",
    "important",
    "opportunities",
    "challenges",
    "potential",
    "sustainable",
    "comprehensive",
    "region",
    "world",
    "peace",
    "stability",
    "trust",
    "economy",
    "culture",
    "society",
    "growth",
    "support",
    "signed",
    "memorandum of understanding",
    "framework",
    "Hanoi",
    "Ho Chi Minh City",
    "year",
    "officials",
    "community",
    "leaders",
    "relations",
    "bilateral",
    "regional",
    "initiative",
    "priority",
    "effective",
    "implementation",
    "progress",
];

/// The shorter lists of the other languages.
const GENERAL_FR: &[&str] = &[
    "le Viet Nam",
    "coopération",
    "développement",
    "accord",
    "gouvernement",
    "ministère",
    "relations",
    "culture",
    "économie",
    "partenariat",
    "francophonie",
    "visite",
    "ambassade",
    "Premier ministre",
    "et",
    "de",
    "la",
    "les",
    "des",
    "pour",
    "avec",
    "dans",
    "sur",
    "une",
    "nouveau",
    "important",
    "durable",
    "région",
    "monde",
    "paix",
    "tourisme",
    "éducation",
    "patrimoine",
    "investissement",
];

const GENERAL_DE: &[&str] = &[
    "Vietnam",
    "Zusammenarbeit",
    "Entwicklung",
    "Abkommen",
    "Regierung",
    "Ministerium",
    "Beziehungen",
    "Kultur",
    "Wirtschaft",
    "Partnerschaft",
    "Besuch",
    "Botschaft",
    "Premierminister",
    "und",
    "der",
    "die",
    "das",
    "für",
    "mit",
    "in",
    "auf",
    "eine",
    "neue",
    "wichtige",
    "nachhaltige",
    "Region",
    "Welt",
    "Frieden",
    "Tourismus",
    "Bildung",
    "Investitionen",
    "Fachkräfte",
];

const GENERAL_RU: &[&str] = &[
    "Вьетнам",
    "сотрудничество",
    "развитие",
    "соглашение",
    "правительство",
    "министерство",
    "отношения",
    "культура",
    "экономика",
    "партнёрство",
    "визит",
    "посольство",
    "премьер-министр",
    "и",
    "в",
    "на",
    "с",
    "для",
    "по",
    "новый",
    "важный",
    "устойчивое",
    "регион",
    "мир",
    "туризм",
    "образование",
    "инвестиции",
    "дружба",
];

const GENERAL_NO: &[&str] = &[
    "Vietnam",
    "samarbeid",
    "utvikling",
    "avtale",
    "regjeringen",
    "departementet",
    "forbindelser",
    "kultur",
    "økonomi",
    "partnerskap",
    "besøk",
    "ambassaden",
    "statsminister",
    "og",
    "i",
    "på",
    "med",
    "for",
    "til",
    "en",
    "ny",
    "viktig",
    "bærekraftig",
    "region",
    "verden",
    "fred",
    "fiskeri",
    "havbruk",
    "utdanning",
    "investeringer",
];

const GENERAL_PL: &[&str] = &[
    "Wietnam",
    "współpraca",
    "rozwój",
    "umowa",
    "rząd",
    "ministerstwo",
    "stosunki",
    "kultura",
    "gospodarka",
    "partnerstwo",
    "wizyta",
    "ambasada",
    "premier",
    "i",
    "w",
    "na",
    "z",
    "dla",
    "do",
    "nowy",
    "ważny",
    "zrównoważony",
    "region",
    "świat",
    "pokój",
    "turystyka",
    "edukacja",
    "inwestycje",
    "przyjaźń",
];

/// Chinese words, written without spaces between them as Chinese is.
const GENERAL_ZH: &[&str] = &[
    "越南",
    "合作",
    "发展",
    "协议",
    "政府",
    "外交部",
    "关系",
    "文化",
    "经济",
    "伙伴关系",
    "访问",
    "大使馆",
    "总理",
    "和",
    "的",
    "在",
    "与",
    "新",
    "重要",
    "可持续",
    "地区",
    "世界",
    "和平",
    "旅游",
    "教育",
    "投资",
    "友谊",
];

/// The languages and their share in thousandths: 70 % Vietnamese, 20 % English, the rest
/// shared by six others.
const LANGUAGES: [(&str, usize); 8] = [
    ("vi", 700),
    ("en", 200),
    ("fr", 25),
    ("de", 20),
    ("ru", 20),
    ("no", 10),
    ("pl", 10),
    ("zh", 15),
];

/// Kinds and their share in thousandths.
const KINDS: [(&str, usize); 9] = [
    ("article", 500),
    ("document", 150),
    ("report", 100),
    ("speech", 70),
    ("video", 50),
    ("image_set", 40),
    ("white_paper", 30),
    ("infographic", 30),
    ("dataset", 30),
];

/// Owner agencies: the ministries and bodies that publish external information, and provinces
/// (codes of `data/agencies`, checked by a test).
const AGENCIES: &[&str] = &[
    "BNG",
    "BVHTTDL",
    "TTXVN",
    "VTV",
    "VOV",
    "BQP",
    "BCA",
    "BCT",
    "BGDDT",
    "BKHCN",
    "BNNMT",
    "BTC",
    "BYT",
    "BXD",
    "BNV",
    "BTP",
    "VPCP",
    "T-HA-NOI",
    "T-HUE",
    "T-QUANG-NINH",
    "T-LANG-SON",
    "T-NGHE-AN",
    "T-THANH-HOA",
];

/// Partner countries an item may be about, besides Viet Nam (ISO 3166-1 alpha-2; names from
/// `data/geo`).
const PARTNERS: &[&str] = &[
    "CN", "US", "JP", "KR", "FR", "DE", "RU", "NO", "PL", "LA", "KH", "SG", "IN", "AU", "GB", "TH",
    "ID", "CU",
];

/// Body lengths in words.
const SHORTEST_BODY: usize = 200;
const LONGEST_BODY: usize = 2000;

/// `count` items of the library from `seed`, in id order.
pub fn library_corpus(count: u64, seed: u64) -> impl Iterator<Item = GeneratedItem> {
    let countries = Countries::bundled();
    let names: Vec<(&'static str, String, String)> = PARTNERS
        .iter()
        .chain(["VN"].iter())
        .map(|code| {
            let country = countries.by_code(code);
            (
                *code,
                country.map_or_else(|| (*code).to_owned(), |c| c.name_vi.clone()),
                country.map_or_else(|| (*code).to_owned(), |c| c.name_en.clone()),
            )
        })
        .collect();
    (0..count).map(move |index| item(seed, index, &names))
}

/// A choice by shares in thousandths (the last one takes what is left).
fn weighted<T: Copy>(rng: &mut Rng, choices: &[(T, usize)]) -> T {
    let mut roll = rng.below(1000);
    for (choice, share) in choices {
        if roll < *share {
            return *choice;
        }
        roll -= share;
    }
    choices[choices.len() - 1].0
}

fn item(seed: u64, index: u64, names: &[(&'static str, String, String)]) -> GeneratedItem {
    let mut rng = stream(seed, "library", index);
    let language = weighted(&mut rng, &LANGUAGES);
    let kind = weighted(&mut rng, &KINDS);
    let primary = rng.below(TOPICS.len());
    let secondary = rng.chance(400).then(|| {
        let other = rng.below(TOPICS.len() - 1);
        if other >= primary { other + 1 } else { other }
    });
    let mut topics = vec![TOPICS[primary].code];
    topics.extend(secondary.map(|s| TOPICS[s].code));
    let partner = rng.below(PARTNERS.len());
    let mut countries = vec!["VN", PARTNERS[partner]];
    if rng.chance(200) {
        let second = PARTNERS[rng.below(PARTNERS.len())];
        if !countries.contains(&second) {
            countries.push(second);
        }
    }
    let agency = *rng.pick(AGENCIES);
    let visibility = match rng.below(1000) {
        0..=799 => ItemVisibility::Public,
        800..=959 => ItemVisibility::Government,
        _ => {
            let mut named = vec![agency];
            let other = *rng.pick(AGENCIES);
            if other != agency {
                named.push(other);
            }
            ItemVisibility::Restricted(named)
        }
    };
    // Days from 2015-01-01 to 2026-11-30.
    let published_on = NaiveDate::from_ymd_opt(2015, 1, 1)
        .and_then(|d| d.checked_add_days(chrono::Days::new(rng.below(4351) as u64)))
        .unwrap_or(NaiveDate::MIN);
    let words = body_length(&mut rng);
    let partner_name = &names[partner];
    let writer = Writer {
        language,
        primary: &TOPICS[primary],
        secondary: secondary.map(|s| &TOPICS[s]),
    };
    let title = writer.title(&mut rng, kind, partner_name, published_on);
    let summary = writer.summary(&mut rng, partner_name);
    let body = writer.body(&mut rng, words, names);
    GeneratedItem {
        id: i64::try_from(index).unwrap_or(i64::MAX).saturating_add(1),
        title,
        summary,
        body,
        language,
        kind,
        topics,
        countries,
        visibility,
        agency,
        published_on,
    }
}

/// Words in the body: spread evenly on a logarithmic scale between the shortest and the
/// longest, so short news items outnumber long reports (the mean is near 800).
fn body_length(rng: &mut Rng) -> usize {
    let span = (LONGEST_BODY as f64 / SHORTEST_BODY as f64).ln();
    let at = rng.below(10_001) as f64 / 10_000.0;
    let words = (SHORTEST_BODY as f64 * (span * at).exp()).round() as usize;
    words.clamp(SHORTEST_BODY, LONGEST_BODY)
}

/// Writes one item's texts in its language about its topics.
struct Writer<'a> {
    language: &'static str,
    primary: &'a Topic,
    secondary: Option<&'a Topic>,
}

impl Writer<'_> {
    fn general(&self) -> &'static [&'static str] {
        match self.language {
            "vi" => GENERAL_VI,
            "en" => GENERAL_EN,
            "fr" => GENERAL_FR,
            "de" => GENERAL_DE,
            "ru" => GENERAL_RU,
            "no" => GENERAL_NO,
            "pl" => GENERAL_PL,
            _ => GENERAL_ZH,
        }
    }

    /// A topic's terms in this item's language; the other languages have none of their own
    /// and write the English ones as loanwords, seldom.
    fn terms(&self, topic: &Topic) -> &'static [&'static str] {
        match self.language {
            "vi" => topic.terms_vi,
            _ => topic.terms_en,
        }
    }

    fn topic_name(&self, topic: &Topic) -> &'static str {
        match self.language {
            "vi" => topic.name_vi,
            _ => topic.name_en,
        }
    }

    fn country_name<'n>(&self, name: &'n (&'static str, String, String)) -> &'n str {
        if self.language == "vi" {
            &name.1
        } else {
            &name.2
        }
    }

    fn title(
        &self,
        rng: &mut Rng,
        kind: &str,
        partner: &(&'static str, String, String),
        date: NaiveDate,
    ) -> String {
        let term = *rng.pick(self.terms(self.primary));
        let name = self.topic_name(self.primary);
        let country = self.country_name(partner);
        let year = chrono::Datelike::year(&date);
        match self.language {
            "vi" => {
                let lead = match kind {
                    "report" => "Báo cáo",
                    "speech" => "Phát biểu",
                    "white_paper" => "Sách trắng",
                    "dataset" => "Dữ liệu",
                    "video" => "Phóng sự",
                    "image_set" => "Bộ ảnh",
                    "infographic" => "Đồ họa",
                    "document" => "Văn bản",
                    _ => "Tin",
                };
                match rng.below(3) {
                    0 => format!("{lead} về {term} năm {year}"),
                    1 => format!("{lead}: {term} trong quan hệ Việt Nam – {country}"),
                    _ => format!("{lead} về {name}: {term}"),
                }
            }
            "en" => match rng.below(3) {
                0 => format!("{} in {year}: {term}", capitalised(name)),
                1 => format!("Viet Nam and {country}: {term}"),
                _ => format!("{} — {term}", capitalised(name)),
            },
            _ => {
                let words = self.general();
                let mut title = String::new();
                for _ in 0..3 + rng.below(4) {
                    let word = *rng.pick(words);
                    self.push_word(&mut title, word);
                }
                self.push_word(&mut title, country);
                capitalised(&title)
            }
        }
    }

    fn summary(&self, rng: &mut Rng, partner: &(&'static str, String, String)) -> String {
        let name = self.topic_name(self.primary);
        let country = self.country_name(partner);
        let general = self.general();
        let mut summary = match self.language {
            "vi" => format!("Tài liệu về {name} với {country}."),
            "en" => format!("On {name} with {country}."),
            _ => capitalised(&format!("{} {country}.", rng.pick(general))),
        };
        summary.push(' ');
        summary.push_str(&self.sentence(rng));
        summary
    }

    fn push_word(&self, text: &mut String, word: &str) {
        if !text.is_empty() && self.language != "zh" {
            text.push(' ');
        }
        text.push_str(word);
    }

    /// One sentence of 6–16 general words, with perhaps a term of the primary topic (in 35 of
    /// 100 sentences), of the secondary (15) or of any topic (3).
    fn sentence(&self, rng: &mut Rng) -> String {
        let general = self.general();
        let words = 6 + rng.below(11);
        let own_terms = self.language == "vi" || self.language == "en";
        let term = if !own_terms {
            rng.chance(20).then(|| *rng.pick(self.primary.terms_en))
        } else if rng.chance(350) {
            Some(*rng.pick(self.terms(self.primary)))
        } else if let Some(secondary) = self.secondary.filter(|_| rng.chance(150)) {
            Some(*rng.pick(self.terms(secondary)))
        } else if rng.chance(30) {
            let any = rng.below(TOPICS.len());
            Some(*rng.pick(self.terms(&TOPICS[any])))
        } else {
            None
        };
        let at = rng.below(words);
        let mut sentence = String::new();
        for position in 0..words {
            if position == at
                && let Some(term) = term
            {
                self.push_word(&mut sentence, term);
            }
            let word = *rng.pick(general);
            self.push_word(&mut sentence, word);
        }
        let mut sentence = capitalised(&sentence);
        sentence.push(if self.language == "zh" { '。' } else { '.' });
        sentence
    }

    /// Sentences until `words` words; a country's name now and then.
    fn body(
        &self,
        rng: &mut Rng,
        words: usize,
        names: &[(&'static str, String, String)],
    ) -> String {
        let mut body = String::with_capacity(words * 7);
        let mut count = 0;
        while count < words {
            let mut sentence = self.sentence(rng);
            if rng.chance(100) {
                let name = self.country_name(&names[rng.below(names.len())]);
                sentence.pop();
                self.push_word(&mut sentence, name);
                sentence.push(if self.language == "zh" { '。' } else { '.' });
            }
            // Chinese is counted by its words, not by spaces.
            let added = if self.language == "zh" {
                sentence.chars().count() / 2
            } else {
                sentence.split_whitespace().count()
            };
            if count + added > words && count >= SHORTEST_BODY {
                break;
            }
            if !body.is_empty() {
                body.push(if rng.chance(150) { '\n' } else { ' ' });
            }
            body.push_str(&sentence);
            count += added;
        }
        body
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// How a labelled query is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typed {
    /// Vietnamese with its diacritics.
    Diacritics,
    /// The same Vietnamese query without diacritics (đ → d), as typed on a phone.
    Folded,
    English,
}

/// A query with the graded relevance of every generated item to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledQuery {
    /// As the user types it (double quotes make a phrase).
    pub text: String,
    pub typed: Typed,
    /// The topic it asks about.
    pub topic: &'static str,
    /// Only items in this language are relevant (a Vietnamese query asks for Vietnamese
    /// texts, typed with diacritics or not).
    pub language: &'static str,
    /// For a query about one thing rather than a topic ("Đà Nẵng", not "du lịch"): an item is
    /// relevant only if its text holds this, exactly (lower case, with diacritics).
    pub must_contain: Option<String>,
}

impl LabelledQuery {
    /// The item's relevance: 2 if the query's topic is its primary topic, 1 if its secondary,
    /// else 0; 0 if it is in another language or lacks the thing asked for.
    pub fn relevance(&self, item: &GeneratedItem) -> u8 {
        if item.language != self.language {
            return 0;
        }
        let grade = match item.topics.iter().position(|t| *t == self.topic) {
            Some(0) => 2,
            Some(_) => 1,
            None => return 0,
        };
        match &self.must_contain {
            Some(phrase) if !contains_lowercase(item, phrase) => 0,
            _ => grade,
        }
    }
}

fn contains_lowercase(item: &GeneratedItem, phrase: &str) -> bool {
    [&item.title, &item.summary, &item.body]
        .iter()
        .any(|text| text.to_lowercase().contains(phrase))
}

/// Queries about one thing whose words fold like another's (the minimal pairs), and phrases;
/// each is asked with diacritics and folded. (text, topic, must it be contained).
const PRECISE_QUERIES: &[(&str, &str, bool)] = &[
    ("Đà Nẵng", "du-lich", true),
    ("đa năng", "khoa-hoc-cong-nghe", true),
    ("đường cao tốc", "ha-tang-giao-thong", true),
    ("Thái Bình Dương", "chu-quyen-bien-dao", true),
    ("bão", "phong-chong-thien-tai", true),
    ("bảo tàng", "lich-su-truyen-thong", true),
    ("\"biên giới\"", "bien-gioi", true),
    ("\"biến đổi khí hậu\"", "moi-truong-khi-hau", true),
    ("\"thông tin đối ngoại\"", "thong-tin-doi-ngoai", true),
    (
        "\"người Việt Nam ở nước ngoài\"",
        "nguoi-viet-o-nuoc-ngoai",
        true,
    ),
];

/// The labelled set: for each topic, a Vietnamese query from its terms with diacritics and the
/// same folded, and an English one; then the minimal-pair and phrase queries of
/// `PRECISE_QUERIES`, with diacritics and folded: 95 queries.
pub fn labelled_queries() -> Vec<LabelledQuery> {
    let mut queries = Vec::new();
    let mut vietnamese = |text: String, topic: &'static str, must_contain: Option<String>| {
        queries.push(LabelledQuery {
            text: text.clone(),
            typed: Typed::Diacritics,
            topic,
            language: "vi",
            must_contain: must_contain.clone(),
        });
        queries.push(LabelledQuery {
            text: fold(&text),
            typed: Typed::Folded,
            topic,
            language: "vi",
            must_contain,
        });
    };
    for topic in &TOPICS {
        // The topic's name and one of its other terms: what an official looking for the topic
        // types.
        vietnamese(
            format!("{} {}", topic.name_vi, topic.terms_vi[1]),
            topic.code,
            None,
        );
    }
    for (text, topic, contained) in PRECISE_QUERIES {
        let phrase = text.trim_matches('"').to_lowercase();
        vietnamese((*text).to_owned(), topic, contained.then_some(phrase));
    }
    for topic in &TOPICS {
        queries.push(LabelledQuery {
            text: topic.name_en.to_owned(),
            typed: Typed::English,
            topic: topic.code,
            language: "en",
            must_contain: None,
        });
    }
    queries
}

/// The topic of a code.
pub fn topic(code: &str) -> Option<&'static Topic> {
    TOPICS.iter().find(|t| t.code == code)
}

/// Items written to the database per transaction.
const BATCH: usize = 1_000;

/// Writes `count` items of the corpus into the library, with the corpus's topics added to the
/// vocabulary, each item's provenance `dongbo gen` and its number, so the change feed (and so
/// every server's index) takes them up like any other write.
pub(crate) async fn write(
    db: &dongbo_store::Db,
    count: u64,
    seed: u64,
    progress: &dyn crate::Progress,
    summary: &mut crate::Summary,
) -> Result<(), crate::GenError> {
    let started = std::time::Instant::now();
    let at = dongbo_domain::clock::now();
    for topic in &TOPICS {
        let topic = dongbo_domain::library::Topic {
            code: topic.code.to_owned(),
            parent: None,
            name_vi: topic.name_vi.to_owned(),
            name_en: topic.name_en.to_owned(),
        };
        crate::Context::doing(topics::save(db, &topic, crate::ACTOR, at).await, || {
            format!("adding library topic {}", topic.code)
        })?;
    }
    progress.start("library", count);
    let mut batch = Vec::with_capacity(BATCH);
    let mut written = 0_u64;
    for item in library_corpus(count, seed) {
        let visibility = match &item.visibility {
            ItemVisibility::Public => Visibility::Public,
            ItemVisibility::Government => Visibility::Government,
            ItemVisibility::Restricted(agencies) => {
                Visibility::Agencies(agencies.iter().map(|&a| a.to_owned()).collect())
            }
        };
        batch.push(Incoming {
            data: ItemData {
                title: item.title,
                summary: item.summary,
                body: item.body,
                language: item.language.to_owned(),
                language_overridden: true,
                kind: item.kind.parse().unwrap_or(ItemKind::Publication),
                owner: Some(item.agency.to_owned()),
                author: None,
                published_on: Some(item.published_on),
                event_on: None,
                rights: None,
                licence: None,
                visibility,
                topics: item.topics.iter().map(|&t| t.to_owned()).collect(),
                countries: item.countries.iter().map(|&c| c.to_owned()).collect(),
                audiences: Vec::new(),
                link_url: None,
                work_id: None,
                attachments: Vec::new(),
            },
            provenance: Some(Provenance {
                system: crate::ACTOR.to_owned(),
                external_id: Some(item.id.to_string()),
                url: None,
                file_name: None,
                received_at: at,
            }),
        });
        if batch.len() == BATCH {
            written += flush(db, &mut batch, at).await?;
            progress.advance(BATCH as u64);
        }
    }
    let rest = batch.len() as u64;
    written += flush(db, &mut batch, at).await?;
    progress.advance(rest);
    progress.finish();
    summary.add("library_items", written, started.elapsed());
    Ok(())
}

/// Writes `batch` in one transaction and empties it; how many items it held.
async fn flush(
    db: &dongbo_store::Db,
    batch: &mut Vec<Incoming>,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<u64, crate::GenError> {
    use crate::Context;
    if batch.is_empty() {
        return Ok(0);
    }
    let written = items::write_batch(db, batch, crate::ACTOR, at)
        .await
        .doing(|| format!("writing {} library items", batch.len()))?;
    batch.clear();
    Ok(written.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dongbo_domain::Directory;

    #[test]
    fn the_same_seed_gives_the_same_items_and_another_seed_others() {
        let first: Vec<_> = library_corpus(50, 7).collect();
        let again: Vec<_> = library_corpus(50, 7).collect();
        let other: Vec<_> = library_corpus(50, 8).collect();
        assert_eq!(first, again);
        assert_ne!(first, other);
        // An item does not depend on how many are generated.
        let more: Vec<_> = library_corpus(80, 7).collect();
        assert_eq!(first[..], more[..50]);
        assert_eq!(first[0].id, 1);
        assert_eq!(first[49].id, 50);
    }

    #[test]
    fn languages_are_mixed_70_20_and_10_among_six_others() {
        let items: Vec<_> = library_corpus(5000, 1).collect();
        let share = |language: &str| {
            items.iter().filter(|i| i.language == language).count() as f64 / items.len() as f64
        };
        assert!((share("vi") - 0.70).abs() < 0.03, "vi {}", share("vi"));
        assert!((share("en") - 0.20).abs() < 0.03, "en {}", share("en"));
        for other in ["fr", "de", "ru", "no", "pl", "zh"] {
            assert!(share(other) > 0.0, "no item in {other}");
        }
    }

    #[test]
    fn bodies_have_200_to_2000_words_and_vietnamese_keeps_its_diacritics() {
        for item in library_corpus(1500, 3) {
            if item.language == "zh" {
                continue;
            }
            let words = item.body.split_whitespace().count();
            assert!(
                (SHORTEST_BODY..=LONGEST_BODY).contains(&words),
                "item {} has {words} words",
                item.id
            );
            if item.language == "vi" {
                assert_ne!(
                    fold(&item.body),
                    item.body.to_lowercase(),
                    "item {}",
                    item.id
                );
                assert!(
                    item.summary
                        .contains(topic(item.topics[0]).expect("a topic").name_vi)
                );
            }
        }
    }

    #[test]
    fn owners_are_agencies_of_the_directory_and_topics_are_known() {
        let directory = Directory::bundled();
        for code in AGENCIES {
            assert!(
                directory.agency(code).is_some(),
                "{code} is not in data/agencies"
            );
        }
        let countries = Countries::bundled();
        for code in PARTNERS {
            assert!(
                countries.by_code(code).is_some(),
                "{code} is not in data/geo"
            );
        }
        for item in library_corpus(500, 4) {
            assert!(item.topics.iter().all(|t| topic(t).is_some()));
            assert!(!item.topics.is_empty() && item.topics.len() <= 2);
            if let ItemVisibility::Restricted(named) = &item.visibility {
                assert!(named.contains(&item.agency));
            }
        }
    }

    #[test]
    fn every_query_has_relevant_items_at_small_scale_and_folded_twins_share_their_judgments() {
        let items: Vec<_> = library_corpus(3000, 42).collect();
        let queries = labelled_queries();
        assert!(queries.len() >= 50);
        for query in &queries {
            let relevant = items.iter().filter(|i| query.relevance(i) > 0).count();
            let primary = items.iter().filter(|i| query.relevance(i) == 2).count();
            assert!(
                primary >= 3 && relevant >= primary,
                "«{}» has {primary} primary and {relevant} relevant items",
                query.text
            );
        }
        for pair in queries.chunks(2).take(25 + PRECISE_QUERIES.len()) {
            assert_eq!(pair[0].typed, Typed::Diacritics);
            assert_eq!(pair[1].typed, Typed::Folded);
            assert_eq!(fold(&pair[0].text), pair[1].text);
            assert_eq!(pair[0].must_contain, pair[1].must_contain);
        }
    }

    #[test]
    fn a_minimal_pair_is_relevant_only_where_its_own_word_is_written() {
        let queries = labelled_queries();
        let da_nang = queries
            .iter()
            .find(|q| q.text == "Đà Nẵng")
            .expect("the Đà Nẵng query");
        let multi = queries
            .iter()
            .find(|q| q.text == "đa năng")
            .expect("the đa năng query");
        let items: Vec<_> = library_corpus(3000, 42).collect();
        let text = |item: &GeneratedItem| {
            format!("{} {} {}", item.title, item.summary, item.body).to_lowercase()
        };
        let mut only_city = 0;
        for item in &items {
            if da_nang.relevance(item) > 0 {
                assert!(text(item).contains("đà nẵng"), "item {}", item.id);
                if multi.relevance(item) == 0 {
                    only_city += 1;
                }
            }
            if multi.relevance(item) > 0 {
                assert!(text(item).contains("đa năng"), "item {}", item.id);
            }
        }
        // The city's items are not the multi-purpose devices' (an item on both topics may hold
        // both).
        assert!(only_city > 10, "{only_city} items about Đà Nẵng alone");
        // Folded, both are the same words: the difficulty the folded queries meet.
        assert_eq!(fold("Đà Nẵng"), fold("đa năng"));
    }
}
