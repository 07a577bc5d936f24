//! The one place that writes state during an apply. Resource operations send their state
//! changes here and wait for durability; the writer batches whatever has queued up into one
//! `Backend::checkpoint` (group commit), so a checkpoint per operation stays cheap however
//! large the state is.

use crate::state::{Backend, State, StateOp};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// The longest time checkpointed operations wait to be flushed to disk.
const SYNC_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

type Request = (Vec<StateOp>, oneshot::Sender<Result<(), String>>);

/// A handle to the writer task.
#[derive(Clone)]
pub struct StateWriter {
    tx: mpsc::UnboundedSender<Request>,
}

impl StateWriter {
    /// Starts the writer over `state`; `finish` returns the final in-memory state.
    pub fn start(
        backend: Arc<dyn Backend>,
        state: State,
    ) -> (StateWriter, tokio::task::JoinHandle<State>) {
        let (tx, mut rx) = mpsc::unbounded_channel::<Request>();
        let handle = tokio::spawn(async move {
            let mut state = state;
            let mut synced = std::time::Instant::now();
            while let Some(first) = rx.recv().await {
                let mut batch = vec![first];
                while let Ok(more) = rx.try_recv() {
                    batch.push(more);
                }
                let ops: Vec<StateOp> = batch
                    .iter()
                    .flat_map(|(ops, _)| ops.iter().cloned())
                    .collect();
                let mut res = backend.checkpoint(&ops).await.map_err(|e| e.to_string());
                if res.is_ok() && synced.elapsed() >= SYNC_EVERY {
                    res = backend.sync().await.map_err(|e| e.to_string());
                    synced = std::time::Instant::now();
                }
                if res.is_ok() {
                    for op in &ops {
                        state.apply_op(op);
                    }
                }
                for (_, ack) in batch {
                    let _ = ack.send(res.clone());
                }
            }
            if let Err(e) = backend.sync().await {
                tracing::warn!("final journal sync failed: {e}");
            }
            state
        });
        (StateWriter { tx }, handle)
    }

    /// Records ops durably; returns once they are on disk (or the error).
    pub async fn write(&self, ops: Vec<StateOp>) -> Result<(), String> {
        let (ack, rx) = oneshot::channel();
        self.tx
            .send((ops, ack))
            .map_err(|_| "state writer stopped".to_string())?;
        rx.await.map_err(|_| "state writer stopped".to_string())?
    }
}
