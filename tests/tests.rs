mod framework;
mod value;
