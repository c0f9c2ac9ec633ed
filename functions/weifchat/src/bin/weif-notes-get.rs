//! `GET /notes/get`: the caller's notes, 12 a page (seed 003 #46).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::notes::list)).await
}
