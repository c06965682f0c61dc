"""The photo pipeline's pure parts: every bad file gets a plain message; real photographs go
bytes -> oriented RGB -> centre square -> 32x32 the same way, fast path or not."""

import numpy as np
import pytest
from PIL import Image, ImageOps

import photo_samples as samples
from cnn_lab.network.photo import (
    MIN_SIDE,
    Photo,
    PhotoError,
    classify,
    display_name,
    enlarged_square,
    megabytes,
    open_photo,
    place,
    ranking,
    read_photo,
    read_upload,
    square_box,
    square_crop,
    to_cifar,
)

LIMIT = 20 * 1024 * 1024


@pytest.mark.parametrize("name", list(samples.bad_files(LIMIT)))
def test_every_bad_file_gets_a_plain_message(name):
    content, phrase = samples.bad_files(LIMIT)[name]
    with pytest.raises(PhotoError) as caught:
        read_photo(content, max_bytes=LIMIT)
    message = str(caught.value)
    assert phrase.lower() in message.lower()
    assert "Traceback" not in message and "BytesIO" not in message and len(message) < 400


def test_the_upload_limit_is_said_in_megabytes():
    with pytest.raises(PhotoError, match="limit of 20 MB"):
        read_photo(samples.bad_files(LIMIT)["huge.jpg"][0], max_bytes=LIMIT)
    assert megabytes(LIMIT) == "20 MB" and megabytes(int(3.5 * 1024 * 1024)) == "3.5 MB"


@pytest.mark.parametrize("name", list(samples.odd_files()))
def test_odd_images_are_read_and_say_what_was_done(name):
    content, phrase = samples.odd_files()[name]
    photo = read_photo(content)
    assert photo.image.mode == "RGB"
    assert any(phrase.lower() in note.lower() for note in photo.notes), photo.notes
    assert to_cifar(photo.image).shape == (32, 32, 3)


def test_odd_images_have_the_right_pixels():
    odd = samples.odd_files()
    # animated GIF: the first frame is pure red
    assert tuple(np.asarray(read_photo(odd["animated.gif"][0]).image)[10, 10]) == (255, 0, 0)
    # transparency is shown on white, the rest keeps its colours
    for name in ("palette.png", "rgba.png"):
        pixels = np.asarray(read_photo(odd[name][0]).image)
        assert (pixels[:, :32] == 255).all()
        assert pixels[:, 40:].mean() < 200
    # 16 bits are scaled (not clipped): the ramp from 0 to 65535 becomes 0 to 255
    deep = np.asarray(read_photo(odd["deep.png"][0]).image)[..., 0]
    assert deep[0, 0] == 0 and deep[-1, -1] == 255 and 100 < deep.mean() < 155
    # CMYK: close to the RGB original
    cmyk = np.asarray(read_photo(odd["cmyk.jpg"][0]).image, dtype=float)
    assert np.abs(cmyk - np.asarray(samples.cat(), dtype=float)).mean() < 12


def test_the_smallest_readable_photo_is_cifar_sized():
    tiny = samples.encode(Image.new("RGB", (MIN_SIDE, MIN_SIDE), (9, 99, 199)), "PNG")
    assert (to_cifar(read_photo(tiny).image) == (9, 99, 199)).all()
    with pytest.raises(PhotoError, match="at least 32 pixels"):
        read_photo(samples.encode(Image.new("RGB", (500, MIN_SIDE - 1)), "PNG"))


@pytest.mark.parametrize("name", ["chelsea", "coffee", "astronaut"])
def test_real_photographs_go_through_the_pipeline(name):
    array = samples.real_photos()[name]
    for fmt in ("JPEG", "PNG", "WEBP", "BMP"):
        photo = read_photo(samples.encode(Image.fromarray(array), fmt))
        assert isinstance(photo, Photo) and photo.format == fmt and photo.notes == []
        assert photo.original_size == (array.shape[1], array.shape[0])
        pixels = to_cifar(photo.image)
        assert pixels.shape == (32, 32, 3) and pixels.dtype == np.uint8
        # the same as cropping and resizing the original by hand (lossy formats: close)
        expected = np.asarray(square_crop(Image.fromarray(array)).resize((32, 32), Image.LANCZOS), dtype=float)
        difference = np.abs(pixels - expected)
        if fmt in ("JPEG", "WEBP"):
            assert difference.mean() < 4
        else:
            assert difference.max() == 0


def test_square_crop_is_the_centred_square():
    assert square_box((400, 300)) == (50, 0, 350, 300)
    assert square_box((300, 401)) == (0, 50, 300, 350)
    image = Image.fromarray(samples.real_photos()["chelsea"])  # 451 x 300
    assert square_crop(image).size == (300, 300)
    assert np.array_equal(np.asarray(square_crop(image)), np.asarray(image)[:, 75:375])


def test_exif_orientation_is_applied():
    cat = samples.cat()  # 451 x 300, stored rotated as a phone does, with the tag saying how to turn it back
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to view"
    stored = cat.transpose(Image.Transpose.ROTATE_90)  # 300 x 451 on disk
    photo = read_photo(samples.encode(stored, "JPEG", quality=95, exif=exif.tobytes()))
    assert photo.image.size == (451, 300) and photo.original_size == (300, 451)
    assert photo.upright_size == (451, 300)  # what the page says: the size the right way up
    assert np.abs(np.asarray(photo.image, dtype=float) - np.asarray(cat, dtype=float)).mean() < 4
    assert np.array_equal(
        np.asarray(photo.image),
        np.asarray(
            ImageOps.exif_transpose(
                Image.open(
                    __import__("io").BytesIO(samples.encode(stored, "JPEG", quality=95, exif=exif.tobytes()))
                ).convert("RGB")
            )
        ),
    )


def test_big_jpegs_are_decoded_small_with_the_same_result():
    data = samples.cat_jpeg(size=(4032, 3024))  # a 12-megapixel photo
    fast, full = read_photo(data), read_photo(data, draft=None)
    assert full.image.size == (4032, 3024) and fast.scale == 8 and fast.image.size == (504, 378)
    assert fast.original_size == full.original_size == (4032, 3024)
    difference = np.abs(to_cifar(fast.image).astype(float) - to_cifar(full.image))
    assert difference.mean() < 1.5 and difference.max() < 24


def test_open_photo_keeps_the_lesson_pages_contract():
    data = samples.cat_jpeg(size=(1200, 800))
    image = open_photo(data)
    assert image.mode == "RGB" and image.size == (1200, 800)
    with pytest.raises(PhotoError, match="too large"):
        open_photo(data, max_pixels=1000 * 800)
    with pytest.raises(PhotoError):
        open_photo(b"")


def test_file_names_are_shown_as_plain_short_text():
    assert display_name("cat.jpg") == "cat.jpg"
    assert display_name("a\nb\x1b[31m.jpg") == "a?b?[31m.jpg"
    assert len(display_name("x" * 500)) == 60
    assert display_name(None) == "photo"


def test_an_upload_is_read_timed_or_refused_before_it_is_read():
    jpeg = samples.cat_jpeg()
    good = read_upload("cat\n.jpg", len(jpeg), lambda: jpeg, LIMIT)
    assert good.error is None and good.name == "cat?.jpg" and good.seconds > 0
    np.testing.assert_array_equal(good.pixels, to_cifar(read_photo(jpeg).image))

    def never_read():
        raise AssertionError("a file over the limit is not read")

    big = read_upload("big.jpg", LIMIT + 1, never_read, LIMIT)
    assert big.error == "The file is 20 MB, over the upload limit of 20 MB." and big.pixels is None
    empty = read_upload("empty.jpg", 0, lambda: b"", LIMIT)
    assert "empty" in empty.error and empty.probabilities is None


def test_classify_gives_every_photo_read_its_answer_in_one_batch():
    jpeg = samples.cat_jpeg()
    uploads = [read_upload(name, len(data), lambda d=data: d, LIMIT) for name, data in [("a", jpeg), ("b", b"")]]
    uploads.append(read_upload("c", len(jpeg), lambda: jpeg[::-1], LIMIT))  # not an image: not classified
    uploads.append(read_upload("d", len(jpeg), lambda: jpeg, LIMIT))
    batches = []

    def predict(images):  # the mean of each image's colours, as if they were probabilities
        batches.append(images.shape)
        return images.reshape(len(images), -1, 3).mean(1)[:, [0, 1, 2, 0, 1, 2, 0, 1, 2, 0]].astype("float32")

    classify(uploads, predict)
    assert batches == [(2, 32, 32, 3)]  # one batch, of the two photos read
    for upload in (uploads[0], uploads[3]):
        expected = upload.pixels.reshape(-1, 3).mean(0)[[0, 1, 2, 0, 1, 2, 0, 1, 2, 0]]
        np.testing.assert_allclose(upload.probabilities, expected, rtol=1e-6)
        assert upload.probabilities.dtype == np.float64 and upload.network_seconds > 0
    assert uploads[1].probabilities is None and uploads[2].probabilities is None
    classify(uploads[1:3], predict)  # nothing read: nothing to predict
    assert len(batches) == 1


def test_ranking_and_place_as_numpy_sorts_them():
    p = np.array([0.01, 0.02, 0.4, 0.03, 0.3, 0.04, 0.1, 0.05, 0.02, 0.03])
    assert ranking(p) == list(np.argsort(-p, kind="stable")) == [2, 4, 6, 7, 5, 3, 9, 1, 8, 0]
    assert [place(p, c) for c in (2, 4, 1, 8, 0)] == [1, 2, 8, 9, 10]  # ties: the first class first
    assert ranking(np.full(10, 0.1)) == list(range(10))


def test_the_enlarged_square_is_the_centre_square_resized():
    image = Image.fromarray(np.random.default_rng(0).integers(0, 256, (90, 60, 3), dtype=np.uint8))
    square = enlarged_square(image, 120)
    assert square.shape == (120, 120, 3) and square.dtype == np.uint8
    np.testing.assert_array_equal(square, np.asarray(image.crop((0, 15, 60, 75)).resize((120, 120), Image.LANCZOS)))
