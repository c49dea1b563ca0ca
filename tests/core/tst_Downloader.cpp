#include "graft/vision/BackboneCatalogue.h"
#include "graft/io/Downloader.h"
#include "graft/io/Safetensors.h"
#include "support/TestSupport.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QPointer>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <limits>

using namespace graft;
using io::DownloadRequest;

namespace {

/// A minimal HTTP/1.1 server on 127.0.0.1 (never another interface), one response per
/// connection. Routes: /file (honours Range), /drop (first response stops half-way, later ones
/// honour Range), /norange (always the whole body with 200), /slow (a trickle that never ends
/// before the client gives up), anything else 404.
class TestServer : public QObject
{
public:
    explicit TestServer(QByteArray body) : m_body(std::move(body))
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection())
                accept(s);
        });
    }

    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    QUrl url(const QString &path) const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_server.serverPort()).arg(path));
    }

    QStringList requests; ///< "path range" for every request, range empty when none

private:
    void accept(QTcpSocket *socket)
    {
        socket->setParent(this);
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        QObject::connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
            m_buffers[socket] += socket->readAll();
            const QByteArray &buf = m_buffers[socket];
            if (!buf.contains("\r\n\r\n"))
                return;
            const QList<QByteArray> lines = buf.left(buf.indexOf("\r\n\r\n")).split('\n');
            const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
            QByteArray range;
            for (const QByteArray &line : lines)
                if (line.toLower().startsWith("range:"))
                    range = line.mid(6).trimmed();
            m_buffers.remove(socket);
            respond(socket, QString::fromLatin1(requestLine.value(1)), range);
        });
    }

    static QByteArray
    head(int code, const char *reason, qint64 length, const QByteArray &extra = {})
    {
        return "HTTP/1.1 " + QByteArray::number(code) + ' ' + reason +
               "\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n" +
               "Content-Length: " + QByteArray::number(length) + "\r\n" + extra + "\r\n";
    }

    void sendBody(QTcpSocket *socket, qint64 from)
    {
        const qint64 total = m_body.size();
        if (from > 0) {
            socket->write(head(206, "Partial Content", total - from,
                               "Content-Range: bytes " + QByteArray::number(from) + '-' +
                                   QByteArray::number(total - 1) + '/' + QByteArray::number(total) +
                                   "\r\n"));
        } else {
            socket->write(head(200, "OK", total));
        }
        socket->write(m_body.mid(from));
        socket->disconnectFromHost();
    }

    void respond(QTcpSocket *socket, const QString &path, const QByteArray &range)
    {
        requests << path + QLatin1Char(' ') + QString::fromLatin1(range);
        qint64 from = 0;
        if (range.startsWith("bytes=") && range.endsWith('-'))
            from = range.mid(6, range.size() - 7).toLongLong();
        if (path == QLatin1String("/file")) {
            sendBody(socket, from);
        } else if (path == QLatin1String("/norange")) {
            sendBody(socket, 0);
        } else if (path == QLatin1String("/drop")) {
            if (m_dropped) {
                sendBody(socket, from);
                return;
            }
            m_dropped = true;
            socket->write(head(200, "OK", m_body.size()));
            socket->write(m_body.left(m_body.size() / 2));
            socket->disconnectFromHost(); // after the half is flushed: a dropped connection
        } else if (path == QLatin1String("/slow")) {
            socket->write(head(200, "OK", 1ll << 30));
            auto *timer = new QTimer(socket);
            QObject::connect(timer, &QTimer::timeout, socket, [socket] {
                if (socket->bytesToWrite() < (1 << 16))
                    socket->write(QByteArray(4096, 'x'));
            });
            timer->start(2);
        } else {
            const QByteArray text = "not here";
            socket->write(head(404, "Not Found", text.size()) + text);
            socket->disconnectFromHost();
        }
    }

    QTcpServer m_server;
    QByteArray m_body;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    bool m_dropped = false;
};

QByteArray randomBytes(int n)
{
    QRandomGenerator rng(1234);
    QByteArray b(n, Qt::Uninitialized);
    for (int i = 0; i < n; ++i)
        b[i] = char(rng.bounded(256));
    return b;
}

QString sha256(const QByteArray &b)
{
    return QString::fromLatin1(QCryptographicHash::hash(b, QCryptographicHash::Sha256).toHex());
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class tst_Downloader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void goodFile();
    void alreadyPresent();
    void wrongChecksum();
    void wrongSize();
    void droppedThenResumed();
    void droppedAutoResume();
    void serverIgnoresRange();
    void notFound();
    void cancel();
    void refusedConnection();
    void fromWorkerThread();
    void downloadWeightsNeedsUrl();
    void importWeights();

private:
    const QByteArray m_body = randomBytes(300 * 1024);
    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_Downloader::init()
{
    m_server = std::make_unique<TestServer>(m_body);
    QVERIFY(m_server->listen());
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void tst_Downloader::goodFile()
{
    DownloadRequest req;
    req.url = m_server->url(QStringLiteral("/file"));
    req.destPath = m_dir->filePath(QStringLiteral("sub/w.safetensors"));
    req.expectedSha256 = sha256(m_body).toUpper(); // case does not matter
    req.expectedSize = m_body.size();
    qint64 lastDone = -1, lastTotal = -1;
    int calls = 0;
    const core::Status st = io::download(req, [&](qint64 done, qint64 total) {
        QVERIFY(done >= lastDone);
        lastDone = done;
        lastTotal = total;
        ++calls;
    });
    QVERIFY2(st.ok(), qPrintable(st.ok() ? QString() : st.error().message()));
    QCOMPARE(readAll(req.destPath), m_body);
    QVERIFY(!QFileInfo::exists(req.destPath + QStringLiteral(".part")));
    QVERIFY(calls > 0);
    QCOMPARE(lastDone, qint64(m_body.size()));
    QCOMPARE(lastTotal, qint64(m_body.size()));
    QCOMPARE(m_server->requests, QStringList{QStringLiteral("/file ")});
}

void tst_Downloader::alreadyPresent()
{
    const QString dest = m_dir->filePath(QStringLiteral("w.bin"));
    QVERIFY(test::writeFile(dest, m_body));
    DownloadRequest req{m_server->url(QStringLiteral("/file")), dest, sha256(m_body)};
    QVERIFY(io::download(req).ok());
    QVERIFY(m_server->requests.isEmpty()); // verified in place, nothing fetched
}

void tst_Downloader::wrongChecksum()
{
    const QString dest = m_dir->filePath(QStringLiteral("w.bin"));
    QVERIFY(test::writeFile(dest, "previous good copy"));
    DownloadRequest req;
    req.url = m_server->url(QStringLiteral("/file"));
    req.destPath = dest;
    req.expectedSha256 = QString(64, QLatin1Char('0'));
    const core::Status st = io::download(req);
    QVERIFY(!st.ok());
    QCOMPARE(st.error().code, core::ErrorCode::ChecksumMismatch);
    QVERIFY2(st.error().detail.contains(sha256(m_body)), qPrintable(st.error().detail));
    QCOMPARE(st.error().file, dest);
    QCOMPARE(readAll(dest), QByteArray("previous good copy")); // destination untouched
    QVERIFY(!QFileInfo::exists(dest + QStringLiteral(".part")));
}

void tst_Downloader::wrongSize()
{
    DownloadRequest req;
    req.url = m_server->url(QStringLiteral("/file"));
    req.destPath = m_dir->filePath(QStringLiteral("w.bin"));
    req.expectedSize = m_body.size() + 10;
    const core::Status st = io::download(req);
    QVERIFY(!st.ok());
    QCOMPARE(st.error().code, core::ErrorCode::ChecksumMismatch);
    QVERIFY(st.error().detail.contains(QStringLiteral("expected")));
    QVERIFY(!QFileInfo::exists(req.destPath));
}

void tst_Downloader::droppedThenResumed()
{
    DownloadRequest req;
    req.url = m_server->url(QStringLiteral("/drop"));
    req.destPath = m_dir->filePath(QStringLiteral("w.bin"));
    req.expectedSha256 = sha256(m_body);
    req.retries = 0;
    const core::Status first = io::download(req);
    QVERIFY(!first.ok());
    QCOMPARE(first.error().code, core::ErrorCode::Network);
    QVERIFY(!QFileInfo::exists(req.destPath));
    const QString part = req.destPath + QStringLiteral(".part");
    const qint64 half = m_body.size() / 2;
    QCOMPARE(QFileInfo(part).size(), half);

    const core::Status second = io::download(req);
    QVERIFY2(second.ok(), qPrintable(second.ok() ? QString() : second.error().message()));
    QCOMPARE(readAll(req.destPath), m_body);
    QVERIFY(!QFileInfo::exists(part));
    // Qt may resend the first request once on its own when the connection closes; what
    // matters is that the last request resumes from the half that was kept.
    QCOMPARE(m_server->requests.first(), QStringLiteral("/drop "));
    QCOMPARE(m_server->requests.last(), QStringLiteral("/drop bytes=%1-").arg(half));
    QVERIFY(m_server->requests.size() <= 3);
}

void tst_Downloader::droppedAutoResume()
{
    DownloadRequest req;
    req.url = m_server->url(QStringLiteral("/drop"));
    req.destPath = m_dir->filePath(QStringLiteral("w.bin"));
    req.expectedSha256 = sha256(m_body);
    const core::Status st = io::download(req);
    QVERIFY2(st.ok(), qPrintable(st.ok() ? QString() : st.error().message()));
    QCOMPARE(readAll(req.destPath), m_body);
    QCOMPARE(m_server->requests.last(), QStringLiteral("/drop bytes=%1-").arg(m_body.size() / 2));
    QVERIFY(m_server->requests.size() <= 3);
}

void tst_Downloader::serverIgnoresRange()
{
    DownloadRequest req;
    req.url = m_server->url(QStringLiteral("/norange"));
    req.destPath = m_dir->filePath(QStringLiteral("w.bin"));
    req.expectedSha256 = sha256(m_body);
    QVERIFY(test::writeFile(req.destPath + QStringLiteral(".part"), QByteArray(1000, 'z')));
    const core::Status st = io::download(req);
    QVERIFY2(st.ok(), qPrintable(st.ok() ? QString() : st.error().message()));
    QCOMPARE(m_server->requests, QStringList{QStringLiteral("/norange bytes=1000-")});
    QCOMPARE(readAll(req.destPath), m_body); // restarted from zero, not appended
}

void tst_Downloader::notFound()
{
    DownloadRequest req;
    req.url = m_server->url(QStringLiteral("/nothing.safetensors"));
    req.destPath = m_dir->filePath(QStringLiteral("w.bin"));
    const core::Status st = io::download(req);
    QVERIFY(!st.ok());
    QCOMPARE(st.error().code, core::ErrorCode::Network);
    QVERIFY2(st.error().detail.contains(QStringLiteral("HTTP 404 Not Found")),
             qPrintable(st.error().detail));
    QVERIFY(st.error().detail.contains(QStringLiteral("/nothing.safetensors")));
    QVERIFY(!QFileInfo::exists(req.destPath));
    QCOMPARE(m_server->requests.size(), 1); // no retries on an HTTP error
}

void tst_Downloader::cancel()
{
    DownloadRequest req;
    req.url = m_server->url(QStringLiteral("/slow"));
    req.destPath = m_dir->filePath(QStringLiteral("w.bin"));
    core::CancelToken token;
    QElapsedTimer clock;
    clock.start();
    const core::Status st = io::download(
        req,
        [&](qint64 done, qint64 total) {
            QCOMPARE(total, qint64(1) << 30);
            if (done >= 64 * 1024)
                token.requestCancel();
        },
        token);
    QVERIFY(!st.ok());
    QCOMPARE(st.error().code, core::ErrorCode::Cancelled);
    QVERIFY(clock.elapsed() < 20000);
    QVERIFY(!QFileInfo::exists(req.destPath));
    const qint64 kept = QFileInfo(req.destPath + QStringLiteral(".part")).size();
    QVERIFY(kept >= 64 * 1024); // kept for a later resume
    QVERIFY(kept < (1ll << 30));
}

void tst_Downloader::refusedConnection()
{
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
    const quint16 port = closed.serverPort();
    closed.close(); // nothing listens there now
    DownloadRequest req;
    req.url = QUrl(QStringLiteral("http://127.0.0.1:%1/x").arg(port));
    req.destPath = m_dir->filePath(QStringLiteral("w.bin"));
    const core::Status st = io::download(req);
    QVERIFY(!st.ok());
    QCOMPARE(st.error().code, core::ErrorCode::Network);
    QVERIFY(!QFileInfo::exists(req.destPath));

    req.url = QUrl(QStringLiteral("file:///etc/passwd"));
    QCOMPARE(io::download(req).error().code, core::ErrorCode::InvalidArgument);
}

void tst_Downloader::fromWorkerThread()
{
    DownloadRequest req;
    req.url = m_server->url(QStringLiteral("/drop"));
    req.destPath = m_dir->filePath(QStringLiteral("w.bin"));
    req.expectedSha256 = sha256(m_body);
    core::Status st = core::makeError(core::ErrorCode::Internal, QStringLiteral("not run"));
    QThread *worker = QThread::create([&] { st = io::download(req); });
    QEventLoop wait; // the server lives on this thread and needs its events
    connect(worker, &QThread::finished, &wait, &QEventLoop::quit);
    worker->start();
    QTimer::singleShot(30000, &wait, &QEventLoop::quit);
    wait.exec();
    QVERIFY(worker->wait(1000));
    delete worker;
    QVERIFY2(st.ok(), qPrintable(st.ok() ? QString() : st.error().message()));
    QCOMPARE(readAll(req.destPath), m_body);
}

void tst_Downloader::downloadWeightsNeedsUrl()
{
    vision::BackboneSpec spec;
    spec.id = QStringLiteral("local_only");
    spec.weightsFile = QStringLiteral("x.safetensors");
    const auto r = io::downloadWeights(spec, m_dir->path());
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, core::ErrorCode::Unsupported);

    spec.url = m_server->url(QStringLiteral("/file")).toString();
    spec.sha256 = sha256(m_body);
    spec.sizeBytes = m_body.size();
    const auto ok = io::downloadWeights(spec, m_dir->filePath(QStringLiteral("weights")));
    QVERIFY2(ok.ok(), qPrintable(ok.ok() ? QString() : ok.error().message()));
    QCOMPARE(ok.value(), m_dir->filePath(QStringLiteral("weights/x.safetensors")));
    QCOMPARE(vision::weightsState(spec, m_dir->filePath(QStringLiteral("weights"))),
             vision::WeightsState::Available);
}

void tst_Downloader::importWeights()
{
    const QString src = m_dir->filePath(QStringLiteral("incoming/mine.safetensors"));
    QVERIFY(QDir().mkpath(QFileInfo(src).absolutePath()));
    QVERIFY(io::writeSafetensors(src, {io::floatBlob("w", {2}, {1.f, 2.f})}).ok());
    const QString weightsDir = m_dir->filePath(QStringLiteral("weights"));

    vision::BackboneSpec spec;
    spec.id = QStringLiteral("tiny");
    spec.weightsFile = QStringLiteral("tiny.safetensors");
    auto r = io::importWeightsFile(src, weightsDir, spec);
    QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message()));
    QCOMPARE(r.value(), QDir(weightsDir).filePath(QStringLiteral("tiny.safetensors")));
    QCOMPARE(readAll(r.value()), readAll(src));
    QCOMPARE(QDir(weightsDir).entryList(QDir::Files),
             QStringList{QStringLiteral("tiny.safetensors")});

    // Known checksum: another file is refused and the imported one stays.
    spec.sha256 = QString(64, QLatin1Char('a'));
    r = io::importWeightsFile(src, weightsDir, spec);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, core::ErrorCode::ChecksumMismatch);
    QVERIFY(r.error().detail.contains(QStringLiteral("not the weights file of 'tiny'")));
    spec.sha256 = io::sha256OfFile(src).value();
    QVERIFY(io::importWeightsFile(src, weightsDir, spec).ok());

    // A malformed or NaN-holding safetensors file never lands in the weights directory.
    const QString bad = m_dir->filePath(QStringLiteral("incoming/bad.safetensors"));
    QVERIFY(test::writeFile(bad, QByteArray("\x05\0\0\0\0\0\0\0{oops", 13)));
    spec.sha256.clear();
    spec.weightsFile = QStringLiteral("bad.safetensors");
    r = io::importWeightsFile(bad, weightsDir, spec);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, core::ErrorCode::InvalidFormat);
    QCOMPARE(r.error().file, bad);
    const QString nan = m_dir->filePath(QStringLiteral("incoming/nan.safetensors"));
    QVERIFY(io::writeSafetensors(
                nan, {io::floatBlob("w", {1}, {std::numeric_limits<float>::quiet_NaN()})})
                .ok());
    r = io::importWeightsFile(nan, weightsDir, spec);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, core::ErrorCode::WeightsInvalid);
    QVERIFY(!QFileInfo::exists(QDir(weightsDir).filePath(QStringLiteral("bad.safetensors"))));

    r = io::importWeightsFile(m_dir->filePath(QStringLiteral("none")), weightsDir, spec);
    QCOMPARE(r.error().code, core::ErrorCode::NotFound);
}

QTEST_GUILESS_MAIN(tst_Downloader)
#include "tst_Downloader.moc"
