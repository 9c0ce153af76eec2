//! The msgpack encoding of `DynamicValue` (Terraform's object wire format).
