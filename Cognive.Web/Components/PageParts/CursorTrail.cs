namespace Cognive.Web.Components.PageParts;

/// <summary>
/// Where a list paged by the API's cursors stands: the cursor of the page shown, the cursor of the next one (from the
/// API's answer), and the cursors of the pages before, so "Previous" goes back without the API paging backwards.
/// </summary>
public sealed class CursorTrail
{
    private readonly Stack<string?> _before = new();

    /// <summary>The cursor to ask the API for the page shown (null: the first page).</summary>
    public string? Current { get; private set; }

    public string? Next { get; private set; }

    public bool HasPrevious => _before.Count > 0;

    public bool HasNext => Next is not null;

    public int PageNumber => _before.Count + 1;

    /// <summary>The API answered the current page; <paramref name="next"/> is its next cursor (null on the last page).</summary>
    public void Arrived(string? next) => Next = next;

    public void Forward()
    {
        if (Next is null)
        {
            return;
        }

        _before.Push(Current);
        (Current, Next) = (Next, null);
    }

    public void Back()
    {
        if (_before.Count == 0)
        {
            return;
        }

        (Current, Next) = (_before.Pop(), null);
    }

    /// <summary>Back to the first page (a filter changed).</summary>
    public void Restart()
    {
        _before.Clear();
        (Current, Next) = (null, null);
    }

    /// <summary>The list path with the current cursor (on a path that has a query string already).</summary>
    public string At(string path) => Current is null ? path : $"{path}&cursor={Uri.EscapeDataString(Current)}";
}
