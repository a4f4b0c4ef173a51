//! A minimal SMTP server for tests: it speaks enough of RFC 5321 for a real client (lettre)
//! to deliver, and keeps each message's raw data.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Clone, Default)]
pub struct SmtpSink {
    pub messages: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl SmtpSink {
    /// Serves on `listener` until the test ends.
    pub fn start(listener: TcpListener) -> SmtpSink {
        let sink = SmtpSink::default();
        let messages = Arc::clone(&sink.messages);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let messages = Arc::clone(&messages);
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read);
                    let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                            break;
                        }
                        let command = line.trim_end().to_ascii_uppercase();
                        let reply: &[u8] =
                            if command.starts_with("EHLO") || command.starts_with("HELO") {
                                b"250 sink\r\n"
                            } else if command.starts_with("DATA") {
                                let _ = write.write_all(b"354 go ahead\r\n").await;
                                let mut data = Vec::new();
                                loop {
                                    let mut part = String::new();
                                    if lines.read_line(&mut part).await.unwrap_or(0) == 0 {
                                        return;
                                    }
                                    if part == ".\r\n" {
                                        break;
                                    }
                                    data.extend_from_slice(part.as_bytes());
                                }
                                messages.lock().unwrap().push(data);
                                b"250 queued\r\n"
                            } else if command.starts_with("QUIT") {
                                let _ = write.write_all(b"221 bye\r\n").await;
                                break;
                            } else {
                                b"250 ok\r\n"
                            };
                        let _ = write.write_all(reply).await;
                    }
                });
            }
        });
        sink
    }
}
