//! Input detection: binary by its `\0asm` magic (never by file extension),
//! otherwise WebAssembly text, parsed with the `wast` crate so an error can
//! name its line and column.

use crate::error::Error;
use std::borrow::Cow;

/// What the binary header says the bytes are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    Module,
    Component,
}

/// Returns the binary form of `input`: borrowed when it already is binary,
/// encoded from text otherwise.
pub fn parse_input(input: &[u8]) -> Result<Cow<'_, [u8]>, Error> {
    if input.starts_with(b"\0asm") {
        return Ok(Cow::Borrowed(input));
    }
    let text = std::str::from_utf8(input)
        .map_err(|e| Error::Text(format!("not UTF-8 text (byte offset {})", e.valid_up_to())))?;
    let located = |e: wast::Error| {
        let (line, col) = e.span().linecol_in(text);
        Error::Text(format!(
            "line {}, column {}: {}",
            line + 1,
            col + 1,
            e.message()
        ))
    };
    let buffer = wast::parser::ParseBuffer::new(text).map_err(located)?;
    let mut wat = wast::parser::parse::<wast::Wat>(&buffer).map_err(located)?;
    wat.encode().map(Cow::Owned).map_err(located)
}

/// Reads the header of a binary: core module or component.
pub fn kind_of(wasm: &[u8]) -> Result<InputKind, Error> {
    if wasmparser::Parser::is_component(wasm) {
        Ok(InputKind::Component)
    } else if wasmparser::Parser::is_core_wasm(wasm) {
        Ok(InputKind::Module)
    } else {
        Err(Error::Malformed {
            offset: 4,
            message: "unknown binary version or layer".into(),
        })
    }
}
