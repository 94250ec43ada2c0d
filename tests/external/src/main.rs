//! Builds a `crm.item.add` request with the generated crate and prints its wire JSON; also
//! compiles the README's quick start (not run: it needs a portal).

use bitrix24::Method;
use bitrix24::crm::item::{Add, AddFields};

#[allow(dead_code)]
mod quick_start {
    include!(concat!(env!("OUT_DIR"), "/quick_start.rs"));
}

fn main() {
    let request = Add::new(2, AddFields::new().title("Deal from an external crate"))
        .use_original_uf_names(false);
    let body = serde_json::to_string(&request).expect("a request serializes");
    println!("{} {body}", Add::NAME);
}
