//! `DELETE /api/v2/infos/{id}`: delete an info (seed 004).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(info::infos::delete)).await
}
