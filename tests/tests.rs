
mod value;
mod conformance;
