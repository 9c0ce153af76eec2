//! Read or write: how the harness's per-kind latency (`--latency-ms read=…,write=…`)
//! should class a request to the simulated Plesk.
//!
//! REST: `GET`/`HEAD` read; `POST /api/v2/cli/{id}/call` reads when the utility call
//! only shows something (`mail --info`/`--list`, `extension --list`); everything else
//! writes. XML is always `POST`, so the packet decides: it reads when every operation
//! in it is a `get…` (get, get_rec, get_info, get-db, get-pool, get_protos, …);
//! one write operation makes it a write; a packet that does not parse is classed as a
//! write (conservative: it is never cheaper than a real read).

use http::Method;
use quick_xml::events::Event;
use quick_xml::Reader;

use super::XML_PATH;

pub fn is_read(method: &Method, path: &str, body: &[u8]) -> bool {
    let path = path.split('?').next().unwrap_or_default();
    if path == XML_PATH {
        return method == Method::POST && xml_reads_only(body);
    }
    if method == Method::GET || method == Method::HEAD {
        return true;
    }
    if method == Method::POST {
        if let Some(command) = path
            .strip_prefix("/api/v2/cli/")
            .and_then(|rest| rest.strip_suffix("/call"))
        {
            return super::rest_services::cli_request(body)
                .is_ok_and(|(params, _)| super::cli::is_read(command, &params));
        }
    }
    false
}

fn is_read_operation(name: &str) -> bool {
    name.starts_with("get")
}

/// Every operation (third-level element) of the packet is a read.
fn xml_reads_only(body: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(body) else {
        return false;
    };
    let mut reader = Reader::from_str(text);
    let mut depth = 0usize;
    let mut operator_is_settings = false;
    let mut operations = 0usize;
    loop {
        let (name, opens) = match reader.read_event() {
            Ok(Event::Start(start)) => (
                String::from_utf8_lossy(start.name().as_ref()).into_owned(),
                true,
            ),
            Ok(Event::Empty(start)) => (
                String::from_utf8_lossy(start.name().as_ref()).into_owned(),
                false,
            ),
            Ok(Event::End(_)) => {
                depth = depth.saturating_sub(1);
                continue;
            }
            Ok(Event::Eof) => return operations > 0 && depth == 0,
            Ok(_) => continue,
            Err(_) => return false,
        };
        match depth {
            1 => operator_is_settings = name == "request-settings",
            2 if !operator_is_settings => {
                if !is_read_operation(&name) {
                    return false;
                }
                operations += 1;
            }
            _ => {}
        }
        if opens {
            depth += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xml(body: &str) -> bool {
        is_read(&Method::POST, XML_PATH, body.as_bytes())
    }

    #[test]
    fn xml_packets_read_only_when_every_operation_is_a_get() {
        assert!(xml("<packet><customer><get><filter/><dataset><gen_info/></dataset></get></customer></packet>"));
        assert!(xml("<packet><server><get_protos/></server><dns><get_rec><filter><site-id>1</site-id></filter></get_rec></dns></packet>"));
        assert!(xml("<packet><request-settings><setting><name>x</name></setting></request-settings><mail><get_info><filter><site-id>1</site-id></filter></get_info></mail></packet>"));
        assert!(!xml("<packet><customer><get><filter/></get></customer><customer><del><filter/></del></customer></packet>"));
        assert!(!xml("<packet><dns><add_rec/></dns></packet>"));
        assert!(!xml("<packet><wrongly formatted xml</packet>"));
        assert!(!xml("<packet/>"));
    }

    #[test]
    fn rest_reads_are_gets_and_read_only_cli_calls() {
        assert!(is_read(&Method::GET, "/api/v2/clients?x=1", b""));
        assert!(!is_read(&Method::POST, "/api/v2/clients", b"{}"));
        assert!(is_read(
            &Method::POST,
            "/api/v2/cli/mail/call",
            br#"{"params":["--info","a@b.c"]}"#
        ));
        assert!(!is_read(
            &Method::POST,
            "/api/v2/cli/mail/call",
            br#"{"params":["--create","a@b.c"]}"#
        ));
        assert!(!is_read(&Method::DELETE, "/api/v2/dns/records/1", b""));
    }
}
