//! Content negotiation for the precompressed siblings `kbgen build` writes (`index.bin.br`,
//! `index.bin.gz`, see `output::pack`): the preview sends one to a client whose
//! `Accept-Encoding` allows it, as nginx's `brotli_static`/`gzip_static` or Caddy's
//! `precompressed` do, so what the widget fetches from the preview weighs what it will on a
//! well-configured host.

/// The codings the preview can send, with their siblings' extensions, smallest first: on a tie of
/// the client's weights, the earlier one is sent.
pub const CODINGS: &[(&str, &str)] = &[("br", "br"), ("gzip", "gz")];

/// The coding to send, of the `available` ones (in [`CODINGS`] order), for an `Accept-Encoding`
/// value: the one the client weighs highest, `None` when it accepts none of them (or sent no
/// header: then only the original is safe).
pub fn choose<'a>(accept: &str, available: &[&'a str]) -> Option<&'a str> {
    let mut best: Option<(&str, f32)> = None;
    for &coding in available {
        let q = weight(accept, coding);
        if q > 0.0 && best.is_none_or(|(_, b)| q > b) {
            best = Some((coding, q));
        }
    }
    best.map(|(c, _)| c)
}

/// The weight `accept` gives `coding` (RFC 9110 §12.5.3): its own `q` (1 when it has none), else
/// that of `*`, else 0. `x-gzip` is `gzip`; names are case-insensitive; a `q` that is not a number
/// counts as 0.
fn weight(accept: &str, coding: &str) -> f32 {
    let mut star = 0.0;
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim();
        let q = parts
            .find_map(|p| {
                let (k, v) = p.split_once('=')?;
                k.trim().eq_ignore_ascii_case("q").then(|| {
                    v.trim()
                        .parse::<f32>()
                        .ok()
                        .filter(|q| q.is_finite())
                        .map_or(0.0, |q| q.clamp(0.0, 1.0))
                })
            })
            .unwrap_or(1.0);
        if name.eq_ignore_ascii_case(coding)
            || (coding == "gzip" && name.eq_ignore_ascii_case("x-gzip"))
        {
            return q;
        }
        if name == "*" {
            star = q;
        }
    }
    star
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(accept: &str, expected: Option<&str>) {
        assert_eq!(choose(accept, &["br", "gzip"]), expected, "{accept:?}");
    }

    #[test]
    fn picks_what_the_client_weighs_highest() {
        // What browsers send: Chromium over HTTPS, then over plain HTTP (no brotli there).
        check("gzip, deflate, br, zstd", Some("br"));
        check("gzip, deflate", Some("gzip"));
        check("", None);
        check("identity", None);
        check("deflate", None);
        check("BR", Some("br"));
        check("x-gzip", Some("gzip"));
        check("gzip;q=1.0, br;q=0.5", Some("gzip"));
        check("br;q=0.5, gzip;q=0.5", Some("br"));
        check("br;q=0, gzip", Some("gzip"));
        check("br; Q=0 , gzip;q=0", None);
        check("*", Some("br"));
        check("*;q=0", None);
        check("br;q=0, *", Some("gzip"));
        check("gzip;q=nan, br;q=oops", None);
        check("gzip;q=-1, br;q=7", Some("br"));
        assert_eq!(choose("gzip, br", &["gzip"]), Some("gzip"));
        assert_eq!(choose("br", &["gzip"]), None);
        assert_eq!(choose("br", &[]), None);
    }
}
