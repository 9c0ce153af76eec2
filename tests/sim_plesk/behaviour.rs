//! Behaviour users rely on: one state behind both APIs, documented error codes.
