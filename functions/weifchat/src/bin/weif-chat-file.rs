//! `POST /chat/file/:type`: upload a chunk of a large file (seed 003 #40).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run_with(&[shared::state::STORAGE], shared::handler!(weifchat::uploads::chunk)).await
}
