//! `include_dir!` embeds `assets/widget/` and `starter/` without telling cargo, so a rebuilt widget
//! bundle or an edited starter would not rebuild kbgen; this makes cargo watch both folders.

fn main() {
    println!("cargo:rerun-if-changed=assets/widget");
    println!("cargo:rerun-if-changed=starter");
}
