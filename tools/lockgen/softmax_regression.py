"""The last-layer training of `watcher learn`, written again independently in numpy.

Same objective as Sources/Watcher/Learn/LogisticRegression.swift, solved another
way (Newton's method with the exact Hessian, in float64, to a gradient below
1e-12), so that the Swift trainer can be checked against it
(tools/make_learn_fixture.py) and its settings chosen here.

Objective, on features standardised by the training samples' mean and standard
deviation (a feature with no spread is left at zero):

    J(W, b) = sum_i s_i * loss_i / sum_i s_i  +  l2 / 2 * |W|^2      (b is not penalised)

with sample weights s_i (balanced classes: n / (K * n_k)) and

    softmax:  loss_i = -log softmax(W z_i + b)[y_i]                        (multinomial)
    sigmoid:  loss_i = sum_k -t_ik log sig(u_ik) - (1 - t_ik) log(1 - sig(u_ik)),  u = W z_i + b
              (one independent logistic regression per class, t one-hot)

The weights are then folded back onto the raw features: W_raw = W / sd,
b_raw = b - W_raw mu.
"""

import numpy as np


def balanced_weights(y, classes):
    counts = np.bincount(y, minlength=classes).astype(np.float64)
    present = np.count_nonzero(counts)
    return len(y) / (present * counts[y])


def standardise(x):
    mu = x.mean(axis=0)
    sd = x.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    return mu, sd


def _softmax(u):
    u = u - u.max(axis=1, keepdims=True)
    e = np.exp(u)
    return e / e.sum(axis=1, keepdims=True)


def objective(theta, z, y, s, classes, l2, loss):
    n, c = z.shape
    w = theta[:classes * c].reshape(classes, c)
    b = theta[classes * c:]
    u = z @ w.T + b
    t = np.eye(classes)[y]
    if loss == "softmax":
        p = _softmax(u)
        per = -np.log(np.maximum(p[np.arange(n), y], 1e-300))
        r = p - t
    else:
        p = 1 / (1 + np.exp(-u))
        per = (np.logaddexp(0, -u) * t + np.logaddexp(0, u) * (1 - t)).sum(axis=1)
        r = p - t
    total = s.sum()
    value = (s * per).sum() / total + 0.5 * l2 * (w * w).sum()
    gw = (r * s[:, None]).T @ z / total + l2 * w
    gb = (r * s[:, None]).sum(axis=0) / total
    return value, np.concatenate([gw.ravel(), gb]), p


def hessian(theta, z, y, s, classes, l2, loss):
    n, c = z.shape
    _, _, p = objective(theta, z, y, s, classes, l2, loss)
    za = np.hstack([z, np.ones((n, 1))])  # features and the bias column
    d = c + 1
    h = np.zeros((classes * d, classes * d))
    total = s.sum()
    for j in range(classes):
        for k in range(classes):
            if loss == "softmax":
                a = p[:, j] * ((j == k) - p[:, k])
            else:
                a = p[:, j] * (1 - p[:, j]) if j == k else np.zeros(n)
            h[j * d:(j + 1) * d, k * d:(k + 1) * d] = (za * (s * a)[:, None]).T @ za / total
    # Reorder from per-class [w_k, b_k] blocks to [all W, all b], then add the L2 term.
    order = [k * d + i for k in range(classes) for i in range(c)] + [k * d + c for k in range(classes)]
    h = h[np.ix_(order, order)]
    h[:classes * c, :classes * c] += l2 * np.eye(classes * c)
    return h


def train(x, y, classes, l2, loss="softmax", sample_weights=None):
    """Newton's method with a backtracking line search; returns (W_raw, b_raw, iterations)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y)
    s = balanced_weights(y, classes) if sample_weights is None else np.asarray(sample_weights, dtype=np.float64)
    mu, sd = standardise(x)
    z = (x - mu) / sd
    n, c = z.shape
    theta = np.zeros(classes * (c + 1))
    for iteration in range(1, 200):
        value, grad, _ = objective(theta, z, y, s, classes, l2, loss)
        if np.abs(grad).max() < 1e-10:
            break
        h = hessian(theta, z, y, s, classes, l2, loss)
        # Softmax's Hessian is singular along the same shift of every bias: a tiny ridge.
        step = np.linalg.solve(h + 1e-12 * np.eye(len(theta)), grad)
        if loss == "softmax":
            # The solve is ill-conditioned along that direction: keep the biases summing to
            # zero (where gradient methods started at zero stay), as the gradient does.
            step[classes * c:] -= step[classes * c:].mean()
        t = 1.0
        while objective(theta - t * step, z, y, s, classes, l2, loss)[0] > value - 1e-4 * t * grad @ step and t > 1e-10:
            t *= 0.5
        theta = theta - t * step
    w = theta[:classes * c].reshape(classes, c) / sd
    b = theta[classes * c:] - w @ mu
    return w, b, iteration


def predict(w, b, x):
    return (np.asarray(x, dtype=np.float64) @ w.T + b).argmax(axis=1)
