//! A request body as a blocking `Read`, fed chunk by chunk from the async payload through a
//! bounded channel: an import reads a large NDJSON body as it arrives, never all of it in
//! memory, and the upload waits while the import is busy.

use std::io::{self, Read};

use actix_web::web::{self, Bytes};
use futures_util::StreamExt;
use tokio::sync::mpsc;

/// Chunks in flight between the upload and the import.
const CHANNEL_CHUNKS: usize = 8;

/// The reading end, for the blocking pool.
pub struct BodyReader {
    chunks: mpsc::Receiver<io::Result<Bytes>>,
    current: Bytes,
}

/// The writing end, pumped by the handler.
pub struct BodyPump {
    chunks: mpsc::Sender<io::Result<Bytes>>,
}

/// How the upload ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pumped {
    Whole,
    /// More than the cap: the reader saw an error there.
    TooLarge,
    /// The client's upload broke off, or the reader stopped early.
    Broken,
}

pub fn channel() -> (BodyPump, BodyReader) {
    let (sender, receiver) = mpsc::channel(CHANNEL_CHUNKS);
    (
        BodyPump { chunks: sender },
        BodyReader {
            chunks: receiver,
            current: Bytes::new(),
        },
    )
}

impl BodyPump {
    /// Feeds the payload to the reader, at most `cap` bytes.
    pub async fn pump(self, mut payload: web::Payload, cap: usize) -> Pumped {
        let mut total = 0usize;
        while let Some(chunk) = payload.next().await {
            let chunk = match chunk {
                Ok(chunk) => chunk,
                Err(error) => {
                    let _ = self
                        .chunks
                        .send(Err(io::Error::other(error.to_string())))
                        .await;
                    return Pumped::Broken;
                }
            };
            total += chunk.len();
            if total > cap {
                let _ = self
                    .chunks
                    .send(Err(io::Error::other("the body is larger than allowed")))
                    .await;
                return Pumped::TooLarge;
            }
            if self.chunks.send(Ok(chunk)).await.is_err() {
                return Pumped::Broken;
            }
        }
        Pumped::Whole
    }
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.chunks.blocking_recv() {
                Some(Ok(chunk)) => self.current = chunk,
                Some(Err(error)) => return Err(error),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}
