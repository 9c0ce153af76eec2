mod framework;
mod protocol;
mod support;
mod value;
mod conformance;
