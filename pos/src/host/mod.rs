//! Host clients: the ISO 8583 acquirer client (primary and backup links) and the QR-pay client; to be written.
