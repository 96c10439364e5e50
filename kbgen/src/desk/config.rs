//! The `[desk]` section of kbgen.toml: where the owner's mail comes from and who the owner is.
//!
//! ```toml
//! [desk]
//! owner_addresses = ["help@acme.test"]   # default: site.support_email
//! close_after_days = 14                  # answered tickets close after this long in silence; 0: never
//! mbox = "export/support.mbox"           # or a list; paths are relative to the knowledge base
//! maildir = "~/Maildir"
//! eml_dir = "tickets"
//! imap = { host = "imap.acme.test", port = 993, tls = "tls", user = "help@acme.test",
//!          password_env = "KBGEN_IMAP_PASSWORD", mailbox = ["INBOX", "Sent"] }
//! ```
//!
//! The IMAP password is never in this file: `password_env` names an environment variable,
//! `password_command` a command that prints it (a keyring, `pass`, 1Password's `op`).

use anyhow::{bail, Result};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, PartialEq)]
pub enum Tls {
    /// TLS from the first byte (port 993).
    Tls,
    /// Plain connection upgraded with STARTTLS (port 143).
    StartTls,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Password {
    Env(String),
    Command(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Imap {
    pub host: String,
    pub port: u16,
    pub tls: Tls,
    pub user: String,
    pub password: Password,
    /// The mailboxes read, in order: the inbox and, for the owner's answers, their sent folder.
    pub mailboxes: Vec<String>,
    /// Extra certificate authorities (PEM) to trust besides the system's, for a server with its
    /// own certificate.
    pub ca_file: Option<PathBuf>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Desk {
    pub owners: Vec<String>,
    pub close_after_days: u32,
    pub mbox: Vec<PathBuf>,
    pub maildir: Vec<PathBuf>,
    pub eml_dir: Vec<PathBuf>,
    pub imap: Option<Imap>,
}

pub const DEFAULT_CLOSE_AFTER_DAYS: u32 = 14;

/// Reads `[desk]` from `<kb>/kbgen.toml` (absent file or section: no sources).
pub fn read(kb: &Path) -> Result<Desk> {
    let path = kb.join(crate::load::CONFIG_FILE);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let site = crate::config::read_or_default(kb);
    parse(&text, &path, kb, &site.support_email)
}

pub fn parse(text: &str, path: &Path, kb: &Path, support_email: &str) -> Result<Desk> {
    let mut desk = Desk {
        close_after_days: DEFAULT_CLOSE_AFTER_DAYS,
        ..Desk::default()
    };
    let table: toml::Table = match text.parse() {
        Ok(t) => t,
        Err(e) => {
            let (line, col) = e
                .span()
                .map_or((1, 1), |s| crate::diag::line_col(text, s.start));
            bail!(
                "{}:{line}:{col}: invalid TOML: {}",
                path.display(),
                e.message()
            );
        }
    };
    let Some(section) = table.get("desk") else {
        if !support_email.is_empty() {
            desk.owners.push(support_email.to_ascii_lowercase());
        }
        return Ok(desk);
    };
    let Some(section) = section.as_table() else {
        bail!(
            "{}:{}:1: `desk` must be a table",
            path.display(),
            line_of(text, "desk")
        );
    };
    let err = |key: &str, what: &str| -> anyhow::Error {
        anyhow::anyhow!(
            "{}:{}:1: `desk.{key}` {what}",
            path.display(),
            line_of(text, key)
        )
    };
    let paths = |key: &str, v: &toml::Value| -> Result<Vec<PathBuf>> {
        let list: Vec<&str> = match v {
            toml::Value::String(s) => vec![s.as_str()],
            toml::Value::Array(a) => a.iter().filter_map(|x| x.as_str()).collect(),
            _ => return Err(err(key, "must be a path or a list of paths")),
        };
        Ok(list.into_iter().map(|p| resolve(kb, p)).collect())
    };
    for (key, value) in section {
        match key.as_str() {
            "owner_addresses" => {
                let Some(a) = value.as_array() else {
                    return Err(err(key, "must be a list of addresses"));
                };
                for v in a {
                    match v.as_str() {
                        Some(s) if s.contains('@') => desk.owners.push(s.trim().to_ascii_lowercase()),
                        _ => return Err(err(key, "must be a list of addresses like [\"help@example.com\"]")),
                    }
                }
            }
            "close_after_days" => {
                desk.close_after_days = value
                    .as_integer()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| err(key, "must be a number of days (0: never)"))?;
            }
            "mbox" => desk.mbox = paths(key, value)?,
            "maildir" => desk.maildir = paths(key, value)?,
            "eml_dir" => desk.eml_dir = paths(key, value)?,
            "imap" => {
                let Some(t) = value.as_table() else {
                    return Err(err(key, "must be a table like { host = \"imap.example.com\", user = \"…\", password_env = \"KBGEN_IMAP_PASSWORD\" }"));
                };
                desk.imap = Some(imap(t, kb, &err)?);
            }
            _ => return Err(err(key, "is not a desk setting (owner_addresses, close_after_days, mbox, maildir, eml_dir, imap)")),
        }
    }
    if desk.owners.is_empty() && !support_email.is_empty() {
        desk.owners.push(support_email.to_ascii_lowercase());
    }
    Ok(desk)
}

fn imap(t: &toml::Table, kb: &Path, err: &dyn Fn(&str, &str) -> anyhow::Error) -> Result<Imap> {
    let s = |k: &str| t.get(k).and_then(|v| v.as_str()).map(str::to_string);
    if t.contains_key("password") {
        return Err(err(
            "password",
            "is not allowed: kbgen.toml is shared and committed; set `password_env = \"KBGEN_IMAP_PASSWORD\"` (an environment variable) or `password_command = \"…\"` instead",
        ));
    }
    for k in t.keys() {
        if ![
            "host",
            "port",
            "tls",
            "user",
            "password_env",
            "password_command",
            "mailbox",
            "ca_file",
        ]
        .contains(&k.as_str())
        {
            return Err(err(k, "is not an imap setting (host, port, tls, user, password_env, password_command, mailbox, ca_file)"));
        }
    }
    let tls = match s("tls").as_deref() {
        None | Some("tls") => Tls::Tls,
        Some("starttls") => Tls::StartTls,
        Some(_) => return Err(err("tls", "must be \"tls\" or \"starttls\"")),
    };
    let port = match t.get("port") {
        None => match tls {
            Tls::Tls => 993,
            Tls::StartTls => 143,
        },
        Some(v) => v
            .as_integer()
            .and_then(|n| u16::try_from(n).ok())
            .ok_or_else(|| err("port", "must be a port number"))?,
    };
    let password = match (s("password_env"), s("password_command")) {
        (Some(e), None) => Password::Env(e),
        (None, Some(c)) => Password::Command(c),
        (None, None) => Password::Env("KBGEN_IMAP_PASSWORD".into()),
        (Some(_), Some(_)) => {
            return Err(err(
                "password_command",
                "and `password_env` cannot both be set",
            ))
        }
    };
    Ok(Imap {
        host: s("host").ok_or_else(|| err("imap", "needs `host`"))?,
        port,
        tls,
        user: s("user").ok_or_else(|| err("imap", "needs `user`"))?,
        password,
        mailboxes: match t.get("mailbox") {
            None => vec!["INBOX".into()],
            Some(toml::Value::String(m)) => vec![m.clone()],
            Some(toml::Value::Array(a)) if !a.is_empty() && a.iter().all(|v| v.is_str()) => a
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect(),
            Some(_) => {
                return Err(err(
                    "mailbox",
                    "must be a mailbox name or a list like [\"INBOX\", \"Sent\"]",
                ))
            }
        },
        ca_file: s("ca_file").map(|p| resolve(kb, &p)),
    })
}

fn resolve(kb: &Path, p: &str) -> PathBuf {
    if let Some(rest) = p.strip_prefix("~/") {
        if let Some(home) = std::env::var_os("HOME") {
            return PathBuf::from(home).join(rest);
        }
    }
    kb.join(p)
}

/// The 1-based line where `key` is first set (or its table starts), for messages.
fn line_of(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.starts_with(&format!("{key} "))
                || l.starts_with(&format!("{key}="))
                || l.starts_with(&format!("[{key}]"))
                || l.contains(&format!(" {key} ="))
                || l.contains(&format!("{{{key} ="))
        })
        .map_or(1, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Desk> {
        parse(
            text,
            Path::new("kbgen.toml"),
            Path::new("kb"),
            "help@acme.test",
        )
    }

    #[test]
    fn owners_default_to_the_support_address() {
        assert_eq!(parse_str("").unwrap().owners, ["help@acme.test"]);
        let d = parse_str("[desk]\nowner_addresses = [\"Me@Acme.test\"]\n").unwrap();
        assert_eq!(d.owners, ["me@acme.test"]);
    }

    #[test]
    fn a_password_in_the_file_is_refused_with_its_line() {
        let e = parse_str(
            "[site]\n\n[desk]\nimap = { host = \"h\", user = \"u\", password = \"hunter2\" }\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("kbgen.toml:4:1: `desk.password` is not allowed"),
            "{e}"
        );
        assert!(!e.contains("hunter2"), "{e}");
    }

    #[test]
    fn imap_defaults_follow_the_tls_mode() {
        let d = parse_str("[desk]\nimap = { host = \"h\", user = \"u\", tls = \"starttls\" }\n")
            .unwrap();
        let i = d.imap.unwrap();
        assert_eq!(
            (i.port, i.tls, i.mailboxes[0].as_str()),
            (143, Tls::StartTls, "INBOX")
        );
        assert_eq!(i.password, Password::Env("KBGEN_IMAP_PASSWORD".into()));
        assert!(
            parse_str("[desk]\nimap = { host = \"h\", user = \"u\", tls = \"none\" }\n").is_err()
        );
    }
}
