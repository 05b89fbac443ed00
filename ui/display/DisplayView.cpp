#include "DisplayView.h"

#include "DisplaySurface.h"

#include <QAction>
#include <QLabel>
#include <QToolBar>
#include <QVBoxLayout>

namespace ui {

DisplayView::DisplayView(app::DisplayConnection* connection, QWidget* parent)
    : QWidget(parent)
    , m_surface(new DisplaySurface(connection, this))
    , m_layout(new QVBoxLayout(this))
    , m_toolBar(new QToolBar(this))
    , m_placeholder(new QLabel(this))
{
    m_takeControlAction = new QAction(tr("Take control"), this);
    m_takeControlAction->setCheckable(true);
    m_takeControlAction->setToolTip(tr("Send your keyboard and mouse to the session. Press "
                                       "Ctrl+Alt to give them back."));
    m_fullScreenAction = new QAction(tr("Full screen"), this);
    m_fullScreenAction->setCheckable(true);
    m_fullScreenAction->setShortcut(QKeySequence(Qt::Key_F11));
    m_fullScreenAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_fullScreenAction->setToolTip(tr("Show the session's screen full screen (F11)"));
    m_leaveFullScreenAction = new QAction(this);
    m_leaveFullScreenAction->setShortcut(QKeySequence(Qt::Key_Escape));
    m_leaveFullScreenAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    // Shortcuts work on the surface wherever it is (here or in the full-screen window): in
    // control the surface takes every key first, so F11 and Escape go to the guest then.
    m_surface->addAction(m_fullScreenAction);
    m_surface->addAction(m_leaveFullScreenAction);
    addAction(m_fullScreenAction);

    m_toolBar->addAction(m_takeControlAction);
    m_toolBar->addAction(m_fullScreenAction);
    m_placeholder->setText(tr("The session's screen is shown full screen. Press F11 there (or "
                              "Escape when not in control) to bring it back here."));
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->hide();
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->setSpacing(0);
    m_layout->addWidget(m_toolBar);
    m_layout->addWidget(m_surface, 1);
    m_layout->addWidget(m_placeholder, 1);

    connect(m_takeControlAction, &QAction::toggled, this, &DisplayView::setInControl);
    connect(m_surface, &DisplaySurface::controlChanged, this, [this](bool inControl) {
        m_takeControlAction->setChecked(inControl);
        emit controlChanged(inControl);
    });
    connect(m_fullScreenAction, &QAction::toggled, this, &DisplayView::setFullScreenShown);
    connect(
        m_leaveFullScreenAction, &QAction::triggered, this, [this] { setFullScreenShown(false); });
}

DisplayView::~DisplayView()
{
    // The full-screen window has no parent: take the surface back so it dies with this view.
    if (m_fullScreenWindow) {
        m_surface->setParent(this);
        delete m_fullScreenWindow;
    }
}

bool DisplayView::isInControl() const
{
    return m_surface->isInControl();
}

void DisplayView::setInControl(bool inControl)
{
    m_surface->setInControl(inControl);
    // The surface may refuse (not connected yet): the action shows what is true.
    m_takeControlAction->setChecked(m_surface->isInControl());
}

void DisplayView::setFullScreenShown(bool fullScreen)
{
    if (fullScreen == isFullScreenShown()) {
        m_fullScreenAction->setChecked(fullScreen);
        return;
    }
    if (fullScreen) {
        auto* window = new QWidget(nullptr, Qt::Window);
        window->setAttribute(Qt::WA_DeleteOnClose, false);
        window->setWindowTitle(this->window()->windowTitle());
        window->setStyleSheet(QStringLiteral("background: black;"));
        auto* layout = new QVBoxLayout(window);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->addWidget(m_surface); // reparents the surface into the window
        m_fullScreenWindow = window;
        m_placeholder->show();
        window->showFullScreen();
        m_surface->setFocus(Qt::OtherFocusReason);
    } else {
        m_layout->insertWidget(1, m_surface, 1);
        m_surface->show();
        m_placeholder->hide();
        delete m_fullScreenWindow;
        m_surface->setFocus(Qt::OtherFocusReason);
    }
    m_fullScreenAction->setChecked(fullScreen);
    emit fullScreenChanged(fullScreen);
}

} // namespace ui
