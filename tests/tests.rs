
mod value;
