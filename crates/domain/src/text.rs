//! Vietnamese text at the boundaries: NFC normalisation and the folding used for
//! diacritic-insensitive matching and search (đ → d).
//!
//! (Interface fixed here; being written.)
