//! Response bodies as they arrive: the read-stall rule every body is read
//! under, bodies read into memory (with their size limit) and streamed
//! ones ([`ByteStream`], what `send_stream` returns).

use std::marker::PhantomData;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::stream::{BoxStream, Stream, StreamExt};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::time::Instant;

use super::communication::{CommunicationError, TimeoutKind};
use super::error::Error;

/// The chunks of a response body, each within `read_timeout` of the last
/// (and, with a deadline, before it): a slow body that keeps moving is
/// read to its end, a stalled one fails.
pub(crate) fn chunks(
    response: reqwest::Response,
    read_timeout: Duration,
    deadline: Option<(Instant, Duration)>,
) -> BoxStream<'static, Result<Bytes, CommunicationError>> {
    futures_util::stream::unfold(Some(response), move |state| async move {
        let mut response = state?;
        let (wait, kind, limit) = match deadline {
            Some((at, limit)) if at.saturating_duration_since(Instant::now()) < read_timeout => (
                at.saturating_duration_since(Instant::now()),
                TimeoutKind::Operation,
                limit,
            ),
            _ => (read_timeout, TimeoutKind::Read, read_timeout),
        };
        match tokio::time::timeout(wait, response.chunk()).await {
            Ok(Ok(Some(chunk))) => Some((Ok(chunk), Some(response))),
            Ok(Ok(None)) => None,
            Ok(Err(err)) => Some((Err(CommunicationError::http(err)), None)),
            Err(_) => {
                let url = Some(response.url().clone());
                Some((Err(CommunicationError::timeout(kind, limit, url)), None))
            }
        }
    })
    .boxed()
}

/// Why a body could not be read into memory.
pub(crate) enum ReadError {
    Communication(CommunicationError),
    /// Longer than the limit (by its `Content-Length`, or as it arrived).
    TooLarge,
}

/// The whole body, at most `max` bytes, each chunk within `read_timeout`.
pub(crate) async fn read_to_end(
    response: reqwest::Response,
    read_timeout: Duration,
    max: u64,
) -> Result<Bytes, ReadError> {
    if response.content_length().is_some_and(|len| len > max) {
        return Err(ReadError::TooLarge);
    }
    let mut body = chunks(response, read_timeout, None);
    let mut buffer = BytesMut::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(ReadError::Communication)?;
        if (buffer.len() + chunk.len()) as u64 > max {
            return Err(ReadError::TooLarge);
        }
        buffer.extend_from_slice(&chunk);
    }
    Ok(buffer.freeze())
}

/// A response body as it arrives (what `send_stream` returns in its
/// [`Response`](crate::Response)): a [`Stream`] of [`Bytes`] chunks, in
/// bounded memory whatever the body's length.
///
/// The read timeout applies to every chunk (a body that stalls fails, a
/// slow one that keeps moving does not), and the call's operation timeout,
/// when set, to the whole body. Nothing is retried once the body has
/// started: a failure mid-body is the stream's last item (an
/// [`Error::Communication`]), so no byte is ever delivered twice. The
/// stream is not `Clone`; dropping it closes the connection.
pub struct ByteStream<E> {
    inner: BoxStream<'static, Result<Bytes, CommunicationError>>,
    attempts: u32,
    received: u64,
    error: PhantomData<fn() -> E>,
}

impl<E> std::fmt::Debug for ByteStream<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ByteStream")
            .field("received", &self.received)
            .finish_non_exhaustive()
    }
}

impl<E> ByteStream<E> {
    pub(crate) fn new(
        inner: BoxStream<'static, Result<Bytes, CommunicationError>>,
        attempts: u32,
    ) -> Self {
        Self {
            inner,
            attempts,
            received: 0,
            error: PhantomData,
        }
    }

    /// Bytes received so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Writes the whole body to `out` (a file, a socket, standard output)
    /// and flushes it; returns the number of bytes written.
    pub async fn write_to<W: AsyncWrite + Unpin + ?Sized>(
        mut self,
        out: &mut W,
    ) -> Result<u64, Error<E>> {
        while let Some(chunk) = self.next().await {
            out.write_all(&chunk?).await.map_err(Error::Io)?;
        }
        out.flush().await.map_err(Error::Io)?;
        Ok(self.received)
    }

    /// Writes the whole body to the file `path`, which only ever holds a
    /// complete body: it is written to a temporary file in the same
    /// directory, synced, and renamed to `path` when the body has ended. A
    /// failed (or cancelled) download removes the temporary file and leaves
    /// `path` as it was. Returns the number of bytes written.
    pub async fn save_to(self, path: impl AsRef<Path>) -> Result<u64, Error<E>> {
        let path = path.as_ref();
        let context = |err: std::io::Error| {
            Error::Io(std::io::Error::new(
                err.kind(),
                format!("{}: {err}", path.display()),
            ))
        };
        // Removed when dropped: on an error, and when this future is.
        let temp = crate::files::temp_beside(path, ".atlas-download-").map_err(context)?;
        let mut file = tokio::fs::File::from_std(temp.as_file().try_clone().map_err(context)?);
        let written = self.write_to(&mut file).await?;
        file.sync_all().await.map_err(context)?;
        drop(file);
        temp.persist(path).map_err(|err| context(err.error))?;
        Ok(written)
    }
}

impl<E> Stream for ByteStream<E> {
    type Item = Result<Bytes, Error<E>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.inner.poll_next_unpin(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                self.received += chunk.len() as u64;
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(Some(Err(source))) => Poll::Ready(Some(Err(Error::Communication {
                source,
                attempts: self.attempts,
            }))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}
