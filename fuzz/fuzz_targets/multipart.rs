//! `multipart/form-data` bodies of weifChat's upload routes (`multer` behind `Params::read`),
//! then the upload rules (images by their bytes, file names, hashes, chunk indexes). Never a
//! panic, never an internal error; what is read keeps the form's limits (parts, file sizes).
//!
//! Input: line 1 the content type (its boundary), then the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use social_fuzz::{client_error, lines, ready, request};
use weifchat::model;
use weifchat::wire::{Failure, MAX_FILE_BYTES, Params, Route};

const FORM: Route = Route::form(Failure::Msg("上传失败"));

fuzz_target!(|data: &[u8]| {
    let ([content_type], body) = lines::<1>(data);
    let req = request("", &content_type, body);
    let params = ready(Params::read(&req, &FORM));
    client_error(&params);
    let Ok(mut params) = params else { return };

    let _ = model::file_hash(params.text("hash"));
    let _ = model::chunk_index(params.text("index"));
    let _ = model::file_name(params.text("name"));
    let mut parts = 0;
    for field in ["file", "photos", "blob"] {
        let files = params.take_files(field);
        parts += files.len();
        assert!(
            files.iter().all(|f| f.bytes.len() <= MAX_FILE_BYTES),
            "a file within the limit"
        );
        for f in &files {
            let name = model::file_name(f.file_name.as_deref().unwrap_or_default());
            assert!(
                name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)),
                "a safe file name: {name:?}"
            );
        }
        match field {
            "photos" => drop(model::photo_files(files, "photos")),
            _ => drop(model::Image::one(files, "file")),
        }
    }
    assert!(parts <= 32, "at most 32 parts");
});
