//! Reading the owner's mailbox over IMAP (TLS or STARTTLS, rustls), incrementally.
//!
//! Each configured mailbox (the inbox, and the folder where the owner's answers are kept, so that
//! tickets can be seen answered) is opened read-only (EXAMINE) and bodies are fetched with `BODY.PEEK[]`, so the
//! desk never marks the owner's mail as read. The position kept is (UIDVALIDITY, last UID stored),
//! moved forward in the same transaction as each batch; a changed UIDVALIDITY (the mailbox was
//! recreated) restarts from UID 1, and Message-ID dedupe keeps what was stored from doubling.

use super::config::{Imap, Password, Tls};
use super::store::Incoming;
use super::Syncer;
use anyhow::{bail, Context, Result};
use rusqlite::{params, OptionalExtension};
use std::io::{BufRead, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

trait Stream: Read + Write + Send {}
impl<T: Read + Write + Send> Stream for T {}

type Session = imap::Session<Box<dyn Stream>>;

const TIMEOUT: Duration = Duration::from_secs(60);

pub fn sync(cfg: &Imap, syncer: &mut Syncer<'_>) -> Result<()> {
    let server = format!("imap {}@{}:{}", cfg.user, cfg.host, cfg.port);
    let password = password(cfg)?;
    let (mut session, tcp) = connect(cfg, &password).with_context(|| server.clone())?;
    for mailbox in &cfg.mailboxes {
        sync_mailbox(
            &mut session,
            &tcp,
            &format!("{server}/{mailbox}"),
            mailbox,
            syncer,
        )?;
    }
    let _ = session.logout();
    Ok(())
}

/// Reads one mailbox from the last stored UID on, batch by batch.
fn sync_mailbox(
    session: &mut Session,
    tcp: &TcpStream,
    label: &str,
    name: &str,
    syncer: &mut Syncer<'_>,
) -> Result<()> {
    let label = label.to_string();
    let mailbox = session
        .examine(name)
        .with_context(|| format!("{label}: cannot open mailbox"))?;
    let validity = mailbox.uid_validity.unwrap_or(0);
    let stored: Option<(u32, u32)> = syncer
        .store
        .conn
        .query_row(
            "SELECT uidvalidity, last_uid FROM imap_state WHERE mailbox = ?1",
            [&label],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let last = match stored {
        Some((v, last)) if v == validity => last,
        Some((v, _)) => {
            eprintln!("desk: {label}: UIDVALIDITY changed ({v} → {validity}): reading the whole mailbox again; messages already stored are skipped");
            0
        }
        None => 0,
    };
    syncer.store.conn.execute(
        "INSERT INTO imap_state (mailbox, uidvalidity, last_uid) VALUES (?1, ?2, ?3)
         ON CONFLICT(mailbox) DO UPDATE SET uidvalidity = ?2, last_uid = ?3",
        params![label, validity, last],
    )?;
    let mut uids: Vec<u32> = session
        .uid_search(format!("UID {}:*", last + 1))
        .with_context(|| format!("{label}: UID SEARCH"))?
        .into_iter()
        .filter(|u| *u > last)
        .collect();
    uids.sort_unstable();
    syncer.expect(uids.len());
    for chunk in uids.chunks(syncer.batch_size) {
        let set: Vec<String> = chunk.iter().map(u32::to_string).collect();
        let fetches = session
            .uid_fetch(set.join(","), "(UID INTERNALDATE BODY.PEEK[])")
            .with_context(|| format!("{label}: FETCH"))?;
        let batch: Vec<Incoming> = fetches
            .iter()
            .filter_map(|f| {
                Some(Incoming {
                    raw: f.body()?.to_vec(),
                    fallback_date: f.internal_date().map(|d| d.timestamp()),
                })
            })
            .collect();
        let top = *chunk.last().expect("chunks are not empty");
        let cut = syncer.batch(&label, &batch, |tx| {
            tx.execute(
                "UPDATE imap_state SET last_uid = ?2 WHERE mailbox = ?1",
                params![label, top],
            )?;
            Ok(())
        })?;
        if cut {
            // Fault injection for tests: the connection drops as a flaky network would.
            let _ = tcp.shutdown(Shutdown::Both);
        }
    }
    Ok(())
}

fn password(cfg: &Imap) -> Result<String> {
    match &cfg.password {
        Password::Env(var) => std::env::var(var).with_context(|| {
            format!("desk.imap.password_env: the environment variable {var} is not set (it holds the IMAP password)")
        }),
        Password::Command(cmd) => {
            let out = std::process::Command::new("sh")
                .arg("-c")
                .arg(cmd)
                .stderr(std::process::Stdio::inherit())
                .output()
                .with_context(|| format!("desk.imap.password_command: cannot run `{cmd}`"))?;
            if !out.status.success() {
                bail!("desk.imap.password_command: `{cmd}` failed ({})", out.status);
            }
            let text = String::from_utf8(out.stdout)
                .context("desk.imap.password_command: the password is not UTF-8")?;
            Ok(text.lines().next().unwrap_or_default().to_string())
        }
    }
}

fn tls_config(cfg: &Imap) -> Result<Arc<rustls::ClientConfig>> {
    use rustls::pki_types::{pem::PemObject, CertificateDer};
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    if let Some(ca) = &cfg.ca_file {
        let certs = CertificateDer::pem_file_iter(ca)
            .with_context(|| format!("{}: cannot read desk.imap.ca_file", ca.display()))?;
        for cert in certs {
            let cert = cert.with_context(|| format!("{}: not a PEM certificate", ca.display()))?;
            roots
                .add(cert)
                .with_context(|| format!("{}: unusable certificate", ca.display()))?;
        }
    }
    // ring builds with a C compiler alone (aws-lc-rs would need cmake); its deprecation is about
    // post-quantum key exchange, which IMAP servers do not offer yet.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth(),
    ))
}

fn wrap_tls(cfg: &Imap, tcp: TcpStream) -> Result<Box<dyn Stream>> {
    let name = rustls::pki_types::ServerName::try_from(cfg.host.clone())
        .with_context(|| format!("{}: not a valid server name", cfg.host))?;
    let conn = rustls::ClientConnection::new(tls_config(cfg)?, name)?;
    let mut stream = rustls::StreamOwned::new(conn, tcp);
    // Handshake now, so a certificate problem is reported as such.
    while stream.conn.is_handshaking() {
        stream
            .conn
            .complete_io(&mut stream.sock)
            .context("TLS handshake")?;
    }
    Ok(Box::new(stream))
}

/// The plain-text part of STARTTLS (RFC 3501 6.2.1): greeting, `STARTTLS`, its tagged OK. Done
/// by hand because the IMAP crate does it only with its own TLS setup.
fn starttls(tcp: &TcpStream) -> Result<()> {
    let mut reader = std::io::BufReader::new(tcp);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    if !line.starts_with("* OK") {
        bail!("unexpected greeting: {}", line.trim_end());
    }
    (&*tcp).write_all(b"k0 STARTTLS\r\n")?;
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            bail!("the server closed the connection after STARTTLS");
        }
        if let Some(rest) = line.strip_prefix("k0 ") {
            if rest.starts_with("OK") {
                // Nothing follows the OK until the handshake, so the reader holds no bytes.
                return Ok(());
            }
            bail!("the server refused STARTTLS: {}", rest.trim_end());
        }
    }
}

fn connect(cfg: &Imap, password: &str) -> Result<(Session, TcpStream)> {
    let addr = (cfg.host.as_str(), cfg.port)
        .to_socket_addrs()?
        .next()
        .with_context(|| format!("{}: no address", cfg.host))?;
    let tcp = TcpStream::connect_timeout(&addr, TIMEOUT)?;
    tcp.set_read_timeout(Some(TIMEOUT))?;
    tcp.set_write_timeout(Some(TIMEOUT))?;
    let handle = tcp.try_clone()?;
    let client = match cfg.tls {
        Tls::Tls => {
            let mut c = imap::Client::new(wrap_tls(cfg, tcp)?);
            c.read_greeting()?;
            c
        }
        Tls::StartTls => {
            starttls(&tcp)?;
            imap::Client::new(wrap_tls(cfg, tcp)?)
        }
    };
    let session = client.login(&cfg.user, password).map_err(|(e, _)| e)?;
    Ok((session, handle))
}
