//! Network management: sign-on (签到, 0800 `003`) loads the working keys and takes the host's
//! batch number; sign-off (0820 `002`) forgets them; echo test (0820 `301`) checks the link.
//! The sign-on request carries no MAC (the keys are what it asks for); the others do once keys
//! are loaded.

use posrig_protocols::iso8583::{transaction, Message};

use super::acquirer::{AcquirerClient, Answer, Reply};
use super::error::HostError;
use super::keys;
use super::outcome::SignOn;

impl AcquirerClient {
    /// Signs on: new working keys (the MAK checked and loaded, the PIK returned for the PIN pad)
    /// and the batch number from 60.2, written to the journal.
    pub async fn sign_on(&mut self) -> Result<SignOn, HostError> {
        let (stan, batch) = self.with_journal(|j| Ok((j.next_stan()?, j.current_batch()?)))?;
        let request =
            transaction::sign_on(&self.config.terminal, stan, batch, &self.config.operator)?;
        let msg = match self.exchange(&request).await {
            Reply::Unreachable => return Err(HostError::Unreachable),
            Reply::NoResponse => return Err(HostError::NoResponse(self.config.response_timeout())),
            Reply::Answered(frame) => match self.judge(frame, false) {
                Answer::Approved(msg) => msg,
                Answer::Refused(code) => return Err(HostError::Refused { code }),
                Answer::BadMac => return Err(HostError::BadMac),
            },
        };
        let loaded = keys::load(
            msg.reserved62().unwrap_or_default(),
            &self.config.master_key,
        )
        .map_err(HostError::Keys)?;
        let host_batch = msg
            .field60()
            .and_then(Result::ok)
            .map_or(batch, |f| f.batch);
        if host_batch != batch {
            self.with_journal(|j| j.set_batch(host_batch))?;
        }
        let pin_key = loaded.pin_key.clone();
        self.keys = Some(loaded);
        self.sign_on_needed = false;
        tracing::info!(batch = host_batch, pik = ?pin_key, "signed on");
        Ok(SignOn {
            batch: host_batch,
            pin_key,
        })
    }

    /// Signs off; the working keys are forgotten and the next transaction signs on.
    pub async fn sign_off(&mut self) -> Result<(), HostError> {
        let (stan, batch) = self.with_journal(|j| Ok((j.next_stan()?, j.current_batch()?)))?;
        let request = transaction::sign_off(&self.config.terminal, stan, batch)?;
        self.network(request).await?;
        self.keys = None;
        self.sign_on_needed = true;
        Ok(())
    }

    /// Echo test: `Ok` when the host answers `00`.
    pub async fn echo(&mut self) -> Result<(), HostError> {
        let (stan, batch) = self.with_journal(|j| Ok((j.next_stan()?, j.current_batch()?)))?;
        let request = transaction::echo_test(&self.config.terminal, stan, batch)?;
        self.network(request).await
    }

    pub(crate) async fn network(&mut self, mut request: Message) -> Result<(), HostError> {
        let maced = self.mac(&mut request);
        match self.exchange(&request).await {
            Reply::Unreachable => Err(HostError::Unreachable),
            Reply::NoResponse => Err(HostError::NoResponse(self.config.response_timeout())),
            Reply::Answered(frame) => match self.judge(frame, maced) {
                Answer::Approved(_) => Ok(()),
                Answer::Refused(code) => Err(HostError::Refused { code }),
                Answer::BadMac => Err(HostError::BadMac),
            },
        }
    }
}
