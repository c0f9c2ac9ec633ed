//! `GET /notes/del`: delete one of the caller's notes (seed 003 #47).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::notes::delete)).await
}
