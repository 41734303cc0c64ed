//! Near-duplicate fingerprints of the library's texts (issue 20): a MinHash signature over the
//! 3-syllable shingles of the folded title and body, cut into bands for lookup by index.
//!
//! Exact duplicates are found elsewhere (the content hash); this finds the copies a person
//! should look at: a text with a few words changed and a paragraph added still shares most of
//! its runs of three syllables with its original. The share of shingles two texts have in
//! common (their Jaccard similarity) is estimated by the share of signature positions that are
//! equal.
//!
//! Why MinHash and not a 64-bit SimHash: a SimHash moves by about 64·θ/π bits for texts whose
//! shingle vectors are θ apart, so a paragraph added to a page-long text (a fifth of its
//! shingles new) moves it 10–13 bits, far past the 3 bits a 4-band index can find; the
//! signature's bands find such a copy with a probability above 99 % (see [`ROWS`]).
//!
//! The text is folded first ([`crate::text::fold`]: lower case, no diacritics), so a copy typed
//! without diacritics is a near-duplicate of its original. A word that folds like another
//! (*Đà Nẵng*, *đa năng*) changes only the shingles it is in: two different texts sharing such
//! words remain far apart.
//!
//! Hashes are FNV-1a followed by the SplitMix64 finaliser: fixed, so a signature stored today
//! matches one computed by a later build.

use crate::text;

/// The syllables a shingle spans.
pub const SHINGLE: usize = 3;

/// The values of a signature (one per hash function).
pub const HASHES: usize = 60;

/// The values of a signature a band holds. Two texts of Jaccard similarity `s` share at least
/// one band with probability `1 - (1 - s^ROWS)^BANDS`: 99.2 % at 0.6, 93 % at 0.5, 2 % at 0.1
/// (those are then compared and dropped).
pub const ROWS: usize = 3;

/// The bands of a signature.
pub const BANDS: usize = HASHES / ROWS;

/// The estimated share of shingles (in percent) from which two items are proposed as
/// near-duplicates.
pub const THRESHOLD_PERCENT: u32 = 50;

/// A text's MinHash signature: per hash function, the least hash of its shingles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature(pub [u32; HASHES]);

impl Signature {
    /// The signature of `title` and `body` together, or `None` when they have no syllable (an
    /// item kept only as a link).
    pub fn of(title: &str, body: &str) -> Option<Signature> {
        let folded = text::fold(&format!("{title}\n{body}"));
        let syllables: Vec<&str> = folded
            .split(|c: char| !c.is_alphanumeric())
            .filter(|s| !s.is_empty())
            .collect();
        if syllables.is_empty() {
            return None;
        }
        let mut minimums = [u32::MAX; HASHES];
        let mut add = |shingle: u64| {
            for (index, minimum) in minimums.iter_mut().enumerate() {
                let value = permuted(shingle, index);
                if value < *minimum {
                    *minimum = value;
                }
            }
        };
        if syllables.len() < SHINGLE {
            add(shingle_hash(&syllables));
        } else {
            for window in syllables.windows(SHINGLE) {
                add(shingle_hash(window));
            }
        }
        Some(Signature(minimums))
    }

    /// The estimated share (percent, 0–100) of shingles two texts have in common.
    pub fn similarity(&self, other: &Signature) -> u32 {
        let equal = self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count();
        u32::try_from(equal * 100 / HASHES).unwrap_or(100)
    }

    /// Whether two signatures are near enough to propose their items as near-duplicates.
    pub fn near(&self, other: &Signature) -> bool {
        self.similarity(other) >= THRESHOLD_PERCENT
    }

    /// The band keys: per band, a hash of its values and its number (two texts sharing a key
    /// share that band's values).
    pub fn bands(&self) -> [i64; BANDS] {
        std::array::from_fn(|band| {
            let mut hash = fnv(FNV_OFFSET, &(band as u64).to_le_bytes());
            for value in &self.0[band * ROWS..(band + 1) * ROWS] {
                hash = fnv(hash, &value.to_le_bytes());
            }
            i64::from_le_bytes(mix(hash).to_le_bytes())
        })
    }

    /// The signature as text (hexadecimal, eight digits a value), as stored.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|v| format!("{v:08x}")).collect()
    }

    /// A signature read back from [`Self::to_hex`]; `None` when it is not one.
    pub fn from_hex(text: &str) -> Option<Signature> {
        if text.len() != HASHES * 8 || !text.is_ascii() {
            return None;
        }
        let mut values = [0u32; HASHES];
        for (index, value) in values.iter_mut().enumerate() {
            *value = u32::from_str_radix(&text[index * 8..(index + 1) * 8], 16).ok()?;
        }
        Some(Signature(values))
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv(mut hash: u64, bytes: &[u8]) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    for byte in bytes {
        hash = (hash ^ u64::from(*byte)).wrapping_mul(PRIME);
    }
    hash
}

/// A stable 64-bit hash of a run of syllables (separated by a space, as the text reads).
fn shingle_hash(syllables: &[&str]) -> u64 {
    let mut hash = FNV_OFFSET;
    for (index, syllable) in syllables.iter().enumerate() {
        if index > 0 {
            hash = fnv(hash, b" ");
        }
        hash = fnv(hash, syllable.as_bytes());
    }
    mix(hash)
}

/// The `index`-th hash function applied to a shingle's hash: its upper 32 bits after mixing
/// with a constant of its own.
fn permuted(shingle: u64, index: usize) -> u32 {
    let seed = mix((index as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    (mix(shingle ^ seed) >> 32) as u32
}

/// SplitMix64's finaliser: spreads FNV's weak high bits over all 64.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "Bộ Ngoại giao tổ chức hội nghị tổng kết công tác đối ngoại năm 2025 \
        tại Hà Nội. Hội nghị đánh giá kết quả triển khai Nghị quyết 47/NQ-CP, nêu những khó \
        khăn trong việc phối hợp giữa các bộ, ngành và địa phương, và đề ra nhiệm vụ trọng tâm \
        cho năm 2026: đẩy mạnh ngoại giao kinh tế, bảo hộ công dân, thông tin đối ngoại và \
        hợp tác văn hóa với các nước láng giềng. Các đại biểu thống nhất cần tăng cường trao \
        đổi thông tin, hoàn thiện cơ chế báo cáo định kỳ và nâng cao chất lượng nguồn nhân lực \
        làm công tác đối ngoại ở các cơ quan trung ương cũng như địa phương.";

    fn signature(title: &str, body: &str) -> Signature {
        Signature::of(title, body).expect("a text has a signature")
    }

    #[test]
    fn a_signature_is_the_same_at_every_run_and_for_every_build() {
        let first = signature("Hội nghị", REPORT);
        assert_eq!(signature("Hội nghị", REPORT), first);
        // Pinned: a change of the shingles or of the hashes would strand every stored one.
        let pinned = signature("", "một hai ba");
        assert_eq!(&pinned.to_hex()[..24], "d395dfacc811aae3d12a516d");
        assert_eq!(Signature::from_hex(&first.to_hex()), Some(first));
    }

    #[test]
    fn text_without_syllables_has_no_signature_and_bad_hex_is_no_signature() {
        assert_eq!(Signature::of("", ""), None);
        assert_eq!(Signature::of(" ", "— … !"), None);
        assert_eq!(Signature::from_hex("xyz"), None);
        assert_eq!(Signature::from_hex(&"g".repeat(HASHES * 8)), None);
    }

    #[test]
    fn a_copy_without_diacritics_or_in_capitals_is_the_same_text() {
        assert_eq!(
            signature("", REPORT),
            signature("", &text::fold(REPORT).to_uppercase())
        );
    }

    #[test]
    fn a_small_edit_keeps_most_of_the_signature_a_different_text_almost_none() {
        let original = signature("Hội nghị tổng kết", REPORT);
        let edited = format!(
            "{}\n\nNgoài ra, hội nghị cũng đã nghe báo cáo về tình hình thực hiện các chương \
             trình hợp tác quốc tế trong lĩnh vực giáo dục và y tế.",
            REPORT
                .replace("năm 2025", "năm 2024")
                .replace("đẩy mạnh", "thúc đẩy")
        );
        let edited = signature("Hội nghị tổng kết", &edited);
        assert!(
            original.near(&edited),
            "a small edit and a paragraph: {} %",
            original.similarity(&edited)
        );
        assert!(
            original
                .bands()
                .iter()
                .zip(edited.bands())
                .any(|(a, b)| *a == b)
        );
        let other = signature(
            "Lễ hội du lịch",
            "Thành phố Đà Nẵng khai mạc lễ hội pháo hoa quốc tế bên bờ sông Hàn, thu hút hàng \
             nghìn du khách trong và ngoài nước đến tham quan, mua sắm và thưởng thức ẩm thực \
             địa phương trong suốt mùa hè năm nay.",
        );
        assert!(
            original.similarity(&other) < 10,
            "different texts: {} %",
            original.similarity(&other)
        );
        assert!(!original.near(&other));
    }

    #[test]
    fn texts_sharing_only_words_that_fold_alike_are_not_near() {
        let city = signature(
            "Đà Nẵng",
            "Đà Nẵng đón đoàn doanh nghiệp Nhật Bản tìm hiểu cơ hội đầu tư vào khu công nghệ \
             cao; lãnh đạo Đà Nẵng giới thiệu quy hoạch cảng biển và sân bay quốc tế.",
        );
        let hall = signature(
            "Nhà thi đấu đa năng",
            "Tỉnh khánh thành nhà thi đấu đa năng phục vụ các giải thể thao trong nước; công \
             trình đa năng này còn dùng cho hội chợ và biểu diễn nghệ thuật.",
        );
        assert!(city.similarity(&hall) < 10, "{} %", city.similarity(&hall));
    }
}
