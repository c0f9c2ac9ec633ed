//! `GET|POST /api/bbs/post_like`: like or cancel a like (seed 002).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(nobase::likes::post_like)).await
}
