//! One connection to the sink: the SMTP dialogue, the TLS upgrade and authentication.

use std::io;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use data_encoding::BASE64;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use super::{Behaviour, Envelope, SinkState, SinkTls};

/// A byte stream the dialogue runs over: plain TCP, or TLS over it.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// Serves one accepted connection until the client quits or goes away.
pub(super) async fn serve(stream: TcpStream, state: Arc<SinkState>) {
    if state.options.behaviour == Behaviour::Stall {
        let _held_open = stream;
        // Never ready: the task, and the connection with it, ends with the test's runtime.
        return std::future::pending().await;
    }
    let implicit = state.options.tls == SinkTls::Implicit;
    let stream: Box<dyn Io> = if implicit {
        match upgrade(&state, stream).await {
            Ok(stream) => stream,
            Err(_) => return,
        }
    } else {
        Box::new(stream)
    };
    let session = Session {
        state,
        stream: BufReader::new(stream),
        tls: implicit,
        user: None,
        transaction: None,
    };
    // An I/O error only means that the client went away.
    let _ = session.run().await;
}

async fn upgrade(state: &SinkState, stream: impl Io + 'static) -> io::Result<Box<dyn Io>> {
    let stream = state.acceptor.accept(stream).await?;
    state.tls_sessions.fetch_add(1, Ordering::SeqCst);
    Ok(Box::new(stream))
}

struct Session {
    state: Arc<SinkState>,
    stream: BufReader<Box<dyn Io>>,
    tls: bool,
    /// Who authenticated on this connection.
    user: Option<String>,
    /// The message being built: MAIL FROM seen, RCPT TO collecting.
    transaction: Option<Envelope>,
}

impl Session {
    async fn run(mut self) -> io::Result<()> {
        self.reply("220 localhost ESMTP rightsdesk test sink")
            .await?;
        if self.state.options.behaviour == Behaviour::DropAfterGreeting {
            self.read_line().await?;
            return Ok(());
        }
        while let Some(line) = self.read_line().await? {
            let line = String::from_utf8_lossy(&line).trim_end().to_string();
            let (verb, argument) = match line.split_once(' ') {
                Some((verb, argument)) => (verb.to_ascii_uppercase(), argument.trim()),
                None => (line.to_ascii_uppercase(), ""),
            };
            match verb.as_str() {
                "EHLO" => self.ehlo(argument).await?,
                "HELO" => {
                    self.transaction = None;
                    self.reply("250 localhost").await?;
                }
                "STARTTLS" => {
                    if self.state.options.tls != SinkTls::StartTls || self.tls {
                        self.reply("502 5.5.1 STARTTLS not offered").await?;
                    } else {
                        self.reply("220 2.0.0 Ready to start TLS").await?;
                        self = self.starttls().await?;
                    }
                }
                "AUTH" => self.auth(argument).await?,
                "MAIL" => self.mail(argument).await?,
                "RCPT" => self.rcpt(argument).await?,
                "DATA" => self.data().await?,
                "RSET" => {
                    self.transaction = None;
                    self.reply("250 2.0.0 OK").await?;
                }
                "NOOP" => self.reply("250 2.0.0 OK").await?,
                "QUIT" => {
                    self.reply("221 2.0.0 Bye").await?;
                    return Ok(());
                }
                _ => self.reply("500 5.5.2 Command not recognised").await?,
            }
        }
        Ok(())
    }

    /// AUTH is offered once the connection is encrypted when STARTTLS is on offer, as real
    /// submission servers do; always otherwise.
    fn offers_auth(&self) -> bool {
        self.state.options.auth.is_some()
            && (self.state.options.tls != SinkTls::StartTls || self.tls)
    }

    async fn ehlo(&mut self, client: &str) -> io::Result<()> {
        self.transaction = None;
        let mut lines = vec![
            format!("localhost greets {client}"),
            "8BITMIME".to_string(),
            "SMTPUTF8".to_string(),
            "ENHANCEDSTATUSCODES".to_string(),
        ];
        if self.state.options.tls == SinkTls::StartTls && !self.tls {
            lines.push("STARTTLS".to_string());
        }
        if self.offers_auth() {
            lines.push("AUTH PLAIN LOGIN".to_string());
        }
        let last = lines.len() - 1;
        let reply: String = lines
            .iter()
            .enumerate()
            .map(|(i, line)| format!("250{}{line}\r\n", if i == last { ' ' } else { '-' }))
            .collect();
        self.write(reply.as_bytes()).await
    }

    /// Continues over TLS; what was said before is forgotten (RFC 3207), so the client must
    /// EHLO again. Bytes the client sent after STARTTLS before the handshake are dropped.
    async fn starttls(self) -> io::Result<Session> {
        let stream = upgrade(&self.state, self.stream.into_inner()).await?;
        Ok(Session {
            state: self.state,
            stream: BufReader::new(stream),
            tls: true,
            user: None,
            transaction: None,
        })
    }

    async fn auth(&mut self, argument: &str) -> io::Result<()> {
        self.state.auth_attempts.fetch_add(1, Ordering::SeqCst);
        let Some((user, password)) = self.state.options.auth.clone() else {
            return self.reply("503 5.5.1 Authentication not enabled").await;
        };
        if !self.offers_auth() {
            return self
                .reply("538 5.7.11 Encryption required for requested authentication mechanism")
                .await;
        }
        if self.user.is_some() {
            return self.reply("503 5.5.1 Already authenticated").await;
        }
        if self.transaction.is_some() {
            return self
                .reply("503 5.5.1 AUTH not permitted during a mail transaction")
                .await;
        }
        let mut words = argument.split_whitespace();
        let mechanism = words.next().unwrap_or_default().to_ascii_uppercase();
        let initial = words.next().map(str::to_string);
        let offered = match mechanism.as_str() {
            "PLAIN" => match initial {
                Some(response) => plain_credentials(&response),
                None => self
                    .challenge("")
                    .await?
                    .and_then(|r| plain_credentials(&r)),
            },
            "LOGIN" => {
                let name = match initial {
                    Some(name) => Some(name),
                    None => self.challenge("Username:").await?,
                };
                let secret = self.challenge("Password:").await?;
                name.as_deref()
                    .and_then(decode)
                    .zip(secret.as_deref().and_then(decode))
            }
            _ => {
                return self
                    .reply("504 5.5.4 Unrecognized authentication type")
                    .await
            }
        };
        match offered {
            None => self.reply("501 5.5.2 Cannot decode response").await,
            Some((name, secret)) if name == user && secret == password => {
                self.user = Some(name);
                self.reply("235 2.7.0 Authentication successful").await
            }
            Some(_) => {
                self.reply("535 5.7.8 Authentication credentials invalid")
                    .await
            }
        }
    }

    /// Sends a 334 challenge (`prompt` base64-encoded) and returns the client's answer,
    /// `None` if it cancelled with `*`.
    async fn challenge(&mut self, prompt: &str) -> io::Result<Option<String>> {
        self.reply(&format!("334 {}", BASE64.encode(prompt.as_bytes())))
            .await?;
        let Some(line) = self.read_line().await? else {
            return Err(io::ErrorKind::UnexpectedEof.into());
        };
        let answer = String::from_utf8_lossy(&line).trim().to_string();
        Ok((answer != "*").then_some(answer))
    }

    async fn mail(&mut self, argument: &str) -> io::Result<()> {
        if self.state.options.auth.is_some() && self.user.is_none() {
            return self.reply("530 5.7.0 Authentication required").await;
        }
        if self.transaction.is_some() {
            return self.reply("503 5.5.1 Nested MAIL command").await;
        }
        let Some(from) = path_after(argument, "FROM:") else {
            return self.reply("501 5.5.4 Syntax: MAIL FROM:<address>").await;
        };
        self.transaction = Some(Envelope {
            from,
            to: Vec::new(),
            tls: self.tls,
            user: self.user.clone(),
        });
        self.reply("250 2.1.0 OK").await
    }

    async fn rcpt(&mut self, argument: &str) -> io::Result<()> {
        let Some(to) = path_after(argument, "TO:") else {
            return self.reply("501 5.5.4 Syntax: RCPT TO:<address>").await;
        };
        let Some(transaction) = self.transaction.as_mut() else {
            return self.reply("503 5.5.1 MAIL first").await;
        };
        match self.state.options.behaviour {
            Behaviour::RejectRecipient => self.reply("550 5.1.1 mailbox unavailable").await,
            Behaviour::TempFailRecipient => self.reply("451 4.3.0 try again later").await,
            _ => {
                transaction.to.push(to);
                self.reply("250 2.1.5 OK").await
            }
        }
    }

    async fn data(&mut self) -> io::Result<()> {
        match &self.transaction {
            None => return self.reply("503 5.5.1 MAIL first").await,
            Some(envelope) if envelope.to.is_empty() => {
                return self.reply("554 5.5.1 No valid recipients").await;
            }
            Some(_) => {}
        }
        self.reply("354 End data with <CR><LF>.<CR><LF>").await?;
        let mut data = Vec::new();
        loop {
            let Some(line) = self.read_line().await? else {
                return Err(io::ErrorKind::UnexpectedEof.into());
            };
            if line == b".\r\n" || line == b".\n" {
                break;
            }
            // The client doubled every leading dot (RFC 5321 4.5.2).
            data.extend_from_slice(line.strip_prefix(b".").unwrap_or(&line));
        }
        let envelope = self.transaction.take().expect("checked above");
        self.state.record(envelope, data);
        self.reply("250 2.0.0 OK: queued").await
    }

    /// One line with its line ending, `None` at the end of the stream.
    async fn read_line(&mut self) -> io::Result<Option<Vec<u8>>> {
        let mut line = Vec::new();
        let read = self.stream.read_until(b'\n', &mut line).await?;
        Ok((read > 0).then_some(line))
    }

    async fn reply(&mut self, text: &str) -> io::Result<()> {
        self.write(format!("{text}\r\n").as_bytes()).await
    }

    async fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes).await?;
        // TLS holds written records until flushed.
        self.stream.flush().await
    }
}

/// The address in `<...>` after `keyword` (`FROM:` or `TO:`); `<>` is the null sender.
fn path_after(argument: &str, keyword: &str) -> Option<String> {
    let head = argument.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = argument[keyword.len()..].trim_start();
    let inner = rest.strip_prefix('<')?;
    let end = inner.find('>')?;
    Some(inner[..end].to_string())
}

/// `authzid NUL authcid NUL password`, base64-encoded (RFC 4616): the user and password.
fn plain_credentials(response: &str) -> Option<(String, String)> {
    let decoded = decode(response)?;
    let mut parts = decoded.split('\0');
    let _authorization_id = parts.next()?;
    let user = parts.next()?.to_string();
    let password = parts.next()?.to_string();
    Some((user, password))
}

fn decode(base64: &str) -> Option<String> {
    let bytes = BASE64.decode(base64.trim().as_bytes()).ok()?;
    String::from_utf8(bytes).ok()
}
