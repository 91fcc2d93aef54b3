# Regenerates frechet-scipy.txt, the fixture of DigitFrechetEvaluatorTest: the Frechet distance of two
# Gaussians with non-commuting covariances in d = 6, by SciPy's general matrix square root (Schur method).
#   python3 frechet-scipy.py > frechet-scipy.txt        (NumPy 2.x, SciPy 1.17.1 when it was made)
import numpy as np
from scipy.linalg import sqrtm

rng = np.random.default_rng(20170601)
d = 6
m1, m2 = rng.normal(size=d), rng.normal(size=d)
a, b = rng.normal(size=(d, d)), rng.normal(size=(d, d))
s1, s2 = a @ a.T + 0.1 * np.eye(d), b @ b.T + 0.1 * np.eye(d)
root = sqrtm(s1 @ s2)  # tr sqrtm(S1 S2) = tr (S1^{1/2} S2 S1^{1/2})^{1/2}
fd = float(np.sum((m1 - m2) ** 2) + np.trace(s1 + s2 - 2 * np.real(root)))
line = lambda name, v: print(name, " ".join(repr(float(x)) for x in np.ravel(v)))
print("d", d)
line("m1", m1)
line("s1", s1)
line("m2", m2)
line("s2", s2)
print("frechet", repr(fd))
