//! `POST /notes/add`: add a note (seed 003 #45).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::notes::add)).await
}
