//! Which languages are written right to left: the one list for the widget (the panel's `dir`)
//! and kbgen (the help center's pages), which includes this file by path
//! (`kbgen/src/config.rs`), as it includes `widget/src/ticket/mailto.rs`. Pure std.

/// Primary language subtags (ISO 639) of the languages written right to left: Arabic, Sorani
/// Kurdish, Dhivehi, Persian, Hebrew, Pashto, Urdu and Yiddish.
pub const RTL: &[&str] = &["ar", "ckb", "dv", "fa", "he", "ps", "ur", "yi"];

/// True when `lang`, a language tag (`ar`, `fa-IR`, `he_IL`), is written right to left.
pub fn is_rtl(lang: &str) -> bool {
    let primary = lang.split(['-', '_']).next().unwrap_or("");
    RTL.iter().any(|l| l.eq_ignore_ascii_case(primary))
}
