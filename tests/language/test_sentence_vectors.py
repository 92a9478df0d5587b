import numpy as np

from bot.language.sentence_vectors import GRAPH_FILE


def cosine(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_every_token_gets_a_contextual_vector(nlp):
    doc = nlp("can i climb stairs after my l4-l5 fusion?")
    assert doc.tensor.shape == (len(doc), 384)
    assert all(np.linalg.norm(token.vector) > 0 for token in doc)
    assert doc.vector.shape == (384,)


def test_paraphrases_are_closer_than_unrelated_questions(nlp):
    fusion, paraphrase, weather = (
        nlp(t).vector
        for t in ("what is spinal fusion", "explain what a spine fusion actually is", "what's the weather in paris")
    )
    assert cosine(fusion, paraphrase) > 0.7
    assert cosine(fusion, weather) < 0.2


def test_batched_and_single_docs_agree(nlp):
    texts = ["hi", "what happens in the first few days after surgery", "is fusion the same as a disc replacement?"]
    for piped, text in zip(nlp.pipe(texts, batch_size=2), texts):
        assert np.allclose(piped.tensor, nlp(text).tensor, atol=1e-4)


def test_empty_and_very_long_messages(nlp):
    assert nlp("").tensor.shape[0] == 0
    long_doc = nlp("my back hurts " * 300)
    assert long_doc.tensor.shape == (len(long_doc), 384)


def test_training_encodings_are_kept_for_the_next_training(nlp, tmp_path):
    """What pipe() encoded is stored in the pipeline's folder; the next pipe() reads it, encoding
    only new texts, with the same vectors."""
    component = nlp.get_pipe("spine_sentence_vectors")
    saved_directory = component.directory
    texts = ["can i climb stairs after a fusion", "when can i drive again"]
    try:
        component.from_disk(tmp_path)
        first = [doc.tensor.copy() for doc in nlp.pipe(texts)]
        assert (tmp_path / "encodings.npy").exists() and (tmp_path / "encodings.json").exists()
        component.batch_encoder.cache.clear()
        encoded = []
        original = component.batch_encoder.word_vectors
        component.batch_encoder.word_vectors = lambda sentences: encoded.extend(sentences) or original(sentences)
        again = [doc.tensor for doc in nlp.pipe([*texts, "is fusion the same as a disc replacement"])]
        assert encoded == [["is", "fusion", "the", "same", "as", "a", "disc", "replacement"]]
        assert all((a == b).all() for a, b in zip(first, again))
    finally:
        component.batch_encoder.word_vectors = original
        component.directory = saved_directory


def test_training_on_every_core_gives_the_vectors_of_one_message_at_a_time(nlp):
    """Training encodes its batches on every core, the server one message on one core: the same
    vectors, to float32 rounding."""
    component = nlp.get_pipe("spine_sentence_vectors")
    texts = ["can i climb stairs after a fusion", "my surgeon said no bending for six weeks, is gardening ok?"]
    words = [[t.text for t in nlp.make_doc(text)] for text in texts]
    batch = component.batch_encoder._compute(words)
    single = [component.encoder._compute([w])[0] for w in words]
    assert all(np.abs(b - s).max() < 1e-4 for b, s in zip(batch, single))


def test_the_pipeline_carries_the_encoder_graph_it_runs(nlp):
    component = nlp.get_pipe("spine_sentence_vectors")
    assert component.directory is not None and (component.directory / GRAPH_FILE).stat().st_size > 50_000_000
    assert [i.name for i in component.encoder.session.get_inputs()] == ["ids", "positions", "bias"]
