//! The diacritic folding table of `analyze::fold`, kept apart because it is data.
//!
//! A table of the few hundred letters that matter instead of the full Unicode decomposition data
//! keeps the widget's WebAssembly small (unicode-normalization costs ~27 KB gzip there); a test
//! checks it against unicode-normalization so it cannot drift.

#[rustfmt::skip]
/// Precomposed Latin, Greek and Vietnamese letters folded to their lowercase base letter: the
/// canonical decomposition with its combining marks removed, lowercased (generated from
/// Unicode's data; `table_matches_unicode_normalization` checks it). Each entry is a run of
/// consecutive code points with the same base, packed in a `u32` so the table is 0.5 KB, not
/// 2 KB: first code point (bits 16..32), run length (bits 10..15), base letter (bits 0..10).
pub const FOLD: &[u32] = &[
    0x00C01861, 0x00C70463, 0x00C81065, 0x00CC1069, 0x00D1046E, 0x00D2146F, 0x00D91075, 0x00DD0479,
    0x00E01861, 0x00E70463, 0x00E81065, 0x00EC1069, 0x00F1046E, 0x00F2146F, 0x00F91075, 0x00FD0479,
    0x00FF0479, 0x01001861, 0x01062063, 0x010E0864, 0x01122865, 0x011C2067, 0x01240868, 0x01282469,
    0x0134086A, 0x0136086B, 0x0139186C, 0x0143186E, 0x014C186F, 0x01541872, 0x015A2073, 0x01621074,
    0x01683075, 0x01740877, 0x01760C79, 0x0179187A, 0x01A0086F, 0x01AF0875, 0x01CD0861, 0x01CF0869,
    0x01D1086F, 0x01D32875, 0x01DE1061, 0x01E208E6, 0x01E60867, 0x01E8086B, 0x01EA106F, 0x01EE0A92,
    0x01F0046A, 0x01F40867, 0x01F8086E, 0x01FA0861, 0x01FC08E6, 0x01FE08F8, 0x02001061, 0x02041065,
    0x02081069, 0x020C106F, 0x02101072, 0x02141075, 0x02180873, 0x021A0874, 0x021E0868, 0x02260861,
    0x02280865, 0x022A206F, 0x02320879, 0x037406B9, 0x037E043B, 0x038504A8, 0x038607B1, 0x038704B7,
    0x038807B5, 0x038907B7, 0x038A07B9, 0x038C07BF, 0x038E07C5, 0x038F07C9, 0x039007B9, 0x03AA07B9,
    0x03AB07C5, 0x03AC07B1, 0x03AD07B5, 0x03AE07B7, 0x03AF07B9, 0x03B007C5, 0x03CA07B9, 0x03CB07C5,
    0x03CC07BF, 0x03CD07C5, 0x03CE07C9, 0x03D30BD2, 0x1E000861, 0x1E021862, 0x1E080863, 0x1E0A2864,
    0x1E142865, 0x1E1E0866, 0x1E200867, 0x1E222868, 0x1E2C1069, 0x1E30186B, 0x1E36206C, 0x1E3E186D,
    0x1E44206E, 0x1E4C206F, 0x1E541070, 0x1E582072, 0x1E602873, 0x1E6A2074, 0x1E722875, 0x1E7C1076,
    0x1E802877, 0x1E8A1078, 0x1E8E0879, 0x1E90187A, 0x1E960468, 0x1E970474, 0x1E980477, 0x1E990479,
    0x1E9B057F, 0x1EA06061, 0x1EB84065, 0x1EC81069, 0x1ECC606F, 0x1EE43875, 0x1EF22079,
];

/// The lowercase base letter of `c` when `c` is a precomposed letter of [`FOLD`].
pub fn lookup(c: char) -> Option<char> {
    let code = u32::from(c);
    // The last run starting at or before `code`.
    let i = FOLD
        .partition_point(|&run| run >> 16 <= code)
        .checked_sub(1)?;
    let run = FOLD[i];
    let len = (run >> 10) & 0x1F;
    if code < (run >> 16) + len {
        char::from_u32(run & 0x3FF)
    } else {
        None
    }
}
