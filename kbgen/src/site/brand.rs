//! Colour arithmetic so the owner's brand colour never costs readability (WCAG 2.1 AA, 4.5:1):
//! the stylesheet's brand variables and the default favicon.

fn parse_hex(s: &str) -> Option<[f64; 3]> {
    let h = s.strip_prefix('#')?;
    let h: String = if h.len() == 3 {
        h.chars().flat_map(|c| [c, c]).collect()
    } else {
        h.to_string()
    };
    if h.len() != 6 {
        return None;
    }
    let v = |i: usize| {
        u8::from_str_radix(&h[i..i + 2], 16)
            .ok()
            .map(|x| f64::from(x) / 255.0)
    };
    Some([v(0)?, v(2)?, v(4)?])
}

fn luminance(c: [f64; 3]) -> f64 {
    let f = |x: f64| {
        if x <= 0.03928 {
            x / 12.92
        } else {
            ((x + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2])
}

pub fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

fn mix(c: [f64; 3], with: [f64; 3], t: f64) -> [f64; 3] {
    [
        c[0] + (with[0] - c[0]) * t,
        c[1] + (with[1] - c[1]) * t,
        c[2] + (with[2] - c[2]) * t,
    ]
}

fn hex(c: [f64; 3]) -> String {
    format!(
        "#{:02x}{:02x}{:02x}",
        (c[0] * 255.0).round() as u8,
        (c[1] * 255.0).round() as u8,
        (c[2] * 255.0).round() as u8
    )
}

/// The colour nearest `c` (towards `toward`) that reaches 4.5:1 against `bg`.
fn readable(c: [f64; 3], bg: [f64; 3], toward: [f64; 3]) -> [f64; 3] {
    (0..=20)
        .map(|i| mix(c, toward, f64::from(i) * 0.05))
        .find(|x| contrast(*x, bg) >= 4.5)
        .unwrap_or(toward)
}

/// The default favicon: a question mark on the brand colour, so no page's first visit asks for
/// a `/favicon.ico` that does not exist (base.html links it unless the owner has a logo).
pub(super) fn favicon(brand: &str) -> String {
    let colours = brand_colours(brand);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\"><rect width=\"32\" height=\"32\" rx=\"7\" fill=\"{}\"/><path d=\"M11.5 12a4.5 4.5 0 1 1 6.3 4.1c-1.2.6-1.8 1.4-1.8 2.7V20\" fill=\"none\" stroke=\"{}\" stroke-width=\"3\" stroke-linecap=\"round\"/><circle cx=\"16\" cy=\"25\" r=\"2\" fill=\"{}\"/></svg>\n",
        colours.button, colours.text, colours.text
    )
}

/// The brand colour's uses as `#rrggbb`: buttons and the text on them, links on light and on
/// dark backgrounds.
struct BrandColours {
    button: String,
    text: String,
    link: String,
    link_dark: String,
}

fn brand_colours(brand: &str) -> BrandColours {
    const WHITE: [f64; 3] = [1.0, 1.0, 1.0];
    const BLACK: [f64; 3] = [0.0, 0.0, 0.0];
    let b = parse_hex(brand).unwrap_or([0.14, 0.34, 0.78]);
    let (button, text) = if contrast(b, WHITE) >= 4.5 {
        (b, WHITE)
    } else if contrast(b, [0.07, 0.07, 0.07]) >= 7.0 {
        (b, [0.07, 0.07, 0.07])
    } else {
        (readable(b, WHITE, BLACK), WHITE)
    };
    // Links sit on the page and on cards and the header (style.css: --bg and --card of each
    // scheme): they must read on the one closer to them, so on both.
    let on = |bgs: &[&str], toward| {
        let bgs: Vec<[f64; 3]> = bgs.iter().filter_map(|h| parse_hex(h)).collect();
        (0..=20)
            .map(|i| mix(b, toward, f64::from(i) * 0.05))
            .find(|x| bgs.iter().all(|bg| contrast(*x, *bg) >= 4.5))
            .unwrap_or(toward)
    };
    BrandColours {
        button: hex(button),
        text: hex(text),
        link: hex(on(&LIGHT_BACKGROUNDS, BLACK)),
        link_dark: hex(on(&DARK_BACKGROUNDS, WHITE)),
    }
}

/// `--bg` and `--card` of style.css in light and in dark mode (a test holds them equal).
const LIGHT_BACKGROUNDS: [&str; 2] = ["#ffffff", "#f6f8fa"];
const DARK_BACKGROUNDS: [&str; 2] = ["#0f1217", "#171b22"];

pub(super) fn brand_css(brand: &str) -> String {
    let c = brand_colours(brand);
    format!(
        "\n:root {{ --brand: {}; --brand-text: {}; --link: {}; }}\n@media (prefers-color-scheme: dark) {{ :root {{ --link: {}; }} }}\n",
        c.button, c.text, c.link, c.link_dark
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brand_colours_keep_aa_contrast() {
        for brand in [
            "#2456c7", "#ffd400", "#00c2a8", "#000000", "#ffffff", "#ff5a5f",
        ] {
            let css = brand_css(brand);
            let get = |var: &str| {
                let (css, var) = match var.strip_suffix("-dark") {
                    Some(v) => (&css[css.find("@media").unwrap()..], v),
                    None => (css.as_str(), var),
                };
                let at = css.find(&format!("{var}: ")).unwrap() + var.len() + 2;
                parse_hex(&css[at..at + 7]).unwrap()
            };
            assert!(
                contrast(get("--brand"), get("--brand-text")) >= 4.5,
                "{brand}: {css}"
            );
            assert!(
                contrast(get("--link"), [1.0, 1.0, 1.0]) >= 4.5,
                "{brand}: {css}"
            );
            assert!(
                contrast(get("--link-dark"), parse_hex("#0f1217").unwrap()) >= 4.5,
                "{brand}: {css}"
            );
        }
    }

    /// Links are made readable on these backgrounds (`brand_colours`): they must be the
    /// stylesheet's, or the language switcher's link on the dark header falls below AA again.
    #[test]
    fn link_backgrounds_are_the_stylesheets() {
        let css = include_str!("../../theme/style.css");
        let dark_at = css.find("prefers-color-scheme: dark").unwrap();
        let get = |block: &str, var: &str| {
            let at = block.find(&format!("{var}: ")).unwrap() + var.len() + 2;
            block[at..at + 7].to_string()
        };
        let (light, dark) = (&css[..dark_at], &css[dark_at..]);
        assert_eq!(
            LIGHT_BACKGROUNDS,
            [get(light, "--bg"), get(light, "--card")]
        );
        assert_eq!(DARK_BACKGROUNDS, [get(dark, "--bg"), get(dark, "--card")]);
        for brand in ["#8b3a2b", "#f5d142", "#1d2b64"] {
            let c = brand_colours(brand);
            for (link, bgs) in [
                (&c.link, LIGHT_BACKGROUNDS),
                (&c.link_dark, DARK_BACKGROUNDS),
            ] {
                for bg in bgs {
                    let ratio = contrast(parse_hex(link).unwrap(), parse_hex(bg).unwrap());
                    assert!(ratio >= 4.5, "{brand}: {link} on {bg} is {ratio:.2}:1");
                }
            }
        }
    }

    /// Search results highlight matched words with `--mark` behind body text (style.css).
    #[test]
    fn highlighted_text_keeps_aa_contrast() {
        let css = include_str!("../../theme/style.css");
        let dark_at = css.find("prefers-color-scheme: dark").unwrap();
        let get = |block: &str, var: &str| {
            let at = block.find(&format!("{var}: ")).unwrap() + var.len() + 2;
            parse_hex(&block[at..at + 7]).unwrap()
        };
        let (light, dark) = (&css[..dark_at], &css[dark_at..]);
        for (mode, block) in [("light", light), ("dark", dark)] {
            let c = contrast(get(block, "--fg"), get(block, "--mark"));
            assert!(c >= 4.5, "{mode}: --fg on --mark is {c:.2}:1");
        }
    }
}
