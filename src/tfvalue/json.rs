//! The JSON encoding of values (state upgrades arrive as JSON) and of types.
