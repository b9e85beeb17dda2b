//! The floor of the desktop's idle memory: Tauri and WebKitGTK with one window on a
//! one-line page, the same webview settings as the app ([`ringback_desktop::lighten`]), and
//! nothing else (no store, no sync, no tray, no front end). `tests/benches/desktop.rs`
//! measures it beside the app in the same run.
//!
//! The page comes from a loopback listener in this process: `about:blank` starts no web
//! process (a real page does), and data URLs need a Tauri feature the app does not use.

use std::io::{Read, Write};
use std::net::TcpListener;

fn serve_one_page(listener: TcpListener) {
    const PAGE: &str = "<!doctype html><p>blank</p>";
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        let mut request = [0u8; 1024];
        let _ = stream.read(&mut request);
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{PAGE}",
            PAGE.len()
        );
    }
}

fn main() -> anyhow::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}/", listener.local_addr()?);
    std::thread::spawn(move || serve_one_page(listener));
    tauri::Builder::default()
        .setup(move |app| {
            let window = tauri::WebviewWindowBuilder::new(
                app,
                "blank",
                tauri::WebviewUrl::External(url.parse()?),
            )
            .title("blank")
            .inner_size(1200.0, 800.0)
            .build()?;
            ringback_desktop::lighten(&window);
            Ok(())
        })
        .run(tauri::generate_context!())?;
    Ok(())
}
